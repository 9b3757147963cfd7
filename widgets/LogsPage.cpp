// SPDX-License-Identifier: Apache-2.0
#include "widgets/LogsPage.h"

#include "widgets/ClusterLink.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

namespace Portoser {

LogsPage::LogsPage(ClusterLink *link, QWidget *parent)
    : QWidget(parent)
    , m_link(link)
{
    m_service = new QComboBox(this);
    m_service->setAccessibleName(tr("Service"));
    m_lines = new QSpinBox(this);
    m_lines->setRange(10, 10000);
    m_lines->setValue(200);
    m_lines->setSuffix(tr(" lines"));
    auto *refresh = new QPushButton(tr("&Refresh"), this);
    refresh->setObjectName(QStringLiteral("logsRefreshButton"));
    refresh->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R)); // F5 is the window's Observe
    refresh->setToolTip(tr("Read the log again (Ctrl+R)"));
    m_follow = new QCheckBox(tr("&Follow"), this);
    m_follow->setToolTip(tr("Read the log again every two seconds"));
    m_text = new QPlainTextEdit(this);
    m_text->setObjectName(QStringLiteral("logText"));
    m_text->setReadOnly(true);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setAccessibleName(tr("Service log"));
    m_status = new QLabel(this);
    m_timer = new QTimer(this);
    m_timer->setInterval(2000);

    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Service:"), this));
    top->addWidget(m_service, 1);
    top->addWidget(m_lines);
    top->addWidget(refresh);
    top->addWidget(m_follow);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_status);

    connect(m_service, &QComboBox::currentTextChanged, this, &LogsPage::fetch);
    connect(m_lines, &QSpinBox::editingFinished, this, &LogsPage::fetch);
    connect(m_follow, &QCheckBox::toggled, this, [this](bool on) {
        on ? m_timer->start() : m_timer->stop();
        if (on)
            fetch();
    });
    connect(m_timer, &QTimer::timeout, this, &LogsPage::fetch);
    connect(refresh, &QPushButton::clicked, this, &LogsPage::fetch);
}

void LogsPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    fetch();
}

void LogsPage::setRegistry(const Registry &registry)
{
    m_registry = registry;
    const QString current = m_service->currentText();
    const QSignalBlocker quiet(m_service);
    m_service->clear();
    m_service->addItems(registry.services.keys());
    m_service->setCurrentText(current);
    if (isVisible() && m_service->currentText() != current)
        fetch(); // the service shown went away: show the one now selected
}

void LogsPage::showLog(const QString &service)
{
    m_service->setCurrentText(service);
    fetch();
}

QString LogsPage::text() const
{
    return m_text->toPlainText();
}

void LogsPage::fetch()
{
    const QString service = m_service->currentText();
    if (!m_registry || service.isEmpty() || m_fetching)
        return;
    m_fetching = true; // a slow host never piles up reads
    m_link->logs(*m_registry, service, m_lines->value())
        .then(this, [this, service](Result<QByteArray> r) {
            m_fetching = false;
            if (service != m_service->currentText())
                return;
            if (!r) {
                m_status->setText(r.error().message);
                return;
            }
            QScrollBar *bar = m_text->verticalScrollBar();
            const bool atBottom = bar->value() == bar->maximum();
            const int kept = bar->value();
            m_text->setPlainText(QString::fromUtf8(*r));
            bar->setValue(atBottom ? bar->maximum() : kept);
            m_status->setText(tr("%1, read %2").arg(service, QTime::currentTime().toString()));
        });
}

} // namespace Portoser
