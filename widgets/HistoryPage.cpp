// SPDX-License-Identifier: Apache-2.0
#include "widgets/HistoryPage.h"

#include "core/deploy/ConfigDiff.h"
#include "widgets/ClusterLink.h"
#include "widgets/HistoryModel.h"
#include "widgets/Icons.h"
#include "widgets/PageLayout.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableView>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

HistoryPage::HistoryPage(ClusterLink *link, QWidget *parent)
    : QWidget(parent)
    , m_link(link)
{
    m_model = new HistoryModel(
        [this](const HistoryQuery &query, auto done) {
            m_link->history(query).then(this, [done](Result<QList<DeploymentRecord>> r) {
                if (r)
                    done(*r, QString());
                else
                    done({}, r.error().message);
            });
        },
        this);
    m_filter = new QLineEdit(this);
    m_filter->setPlaceholderText(tr("Filter by service"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setAccessibleName(tr("Service filter"));
    m_hostFilter = new QComboBox(this);
    m_hostFilter->setObjectName(QStringLiteral("historyHostCombo"));
    m_hostFilter->setAccessibleName(tr("Host filter"));
    m_hostFilter->addItem(tr("All hosts"), QString());
    m_outcomeFilter = new QComboBox(this);
    m_outcomeFilter->setObjectName(QStringLiteral("historyOutcomeCombo"));
    m_outcomeFilter->setAccessibleName(tr("Outcome filter"));
    m_outcomeFilter->addItem(tr("All outcomes"), QString());
    for (const auto &[outcome, text] : {std::pair{Outcome::Succeeded, tr("succeeded")},
                                        {Outcome::Failed, tr("failed")},
                                        {Outcome::RolledBack, tr("rolled back")},
                                        {Outcome::Cancelled, tr("cancelled")},
                                        {Outcome::Skipped, tr("skipped")},
                                        {Outcome::Interrupted, tr("interrupted")}})
        m_outcomeFilter->addItem(text, toString(outcome));
    auto *refresh = new QPushButton(tr("&Refresh"), this);
    refresh->setShortcut(QKeySequence::Refresh);
    m_rollback = new QPushButton(tr("Roll &back…"), this);
    m_rollback->setObjectName(QStringLiteral("rollbackButton"));
    m_rollback->setEnabled(false);
    m_rollback->setToolTip(tr("Redeploy the selected record's release and configuration"));
    Icons::set(m_rollback, u"rollback"_s);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("historyTable"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    // One line per record, dates included; the short columns as wide as what they hold, the
    // names where people may widen them, and the last one taking what is left.
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideMiddle);
    QHeaderView *header = m_table->horizontalHeader();
    header->setStretchLastSection(true);
    for (const int column : {HistoryModel::Id, HistoryModel::Action, HistoryModel::Outcome,
                             HistoryModel::Started, HistoryModel::Duration})
        header->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    for (const int column : {HistoryModel::Service, HistoryModel::Host, HistoryModel::Actor})
        header->resizeSection(column, 150);
    m_table->setAccessibleName(tr("Deployment history"));
    m_details = new QPlainTextEdit(this);
    m_details->setObjectName(QStringLiteral("historyDetails"));
    m_details->setReadOnly(true);
    m_details->setAccessibleName(tr("Record details"));
    m_status = new QLabel(this);

    auto *top = new QHBoxLayout;
    top->addWidget(m_filter, 1);
    top->addWidget(m_hostFilter);
    top->addWidget(m_outcomeFilter);
    top->addWidget(refresh);
    top->addWidget(m_rollback);
    layOutPage(this, top, m_table, m_details, m_status);

    m_confirm = [this](const QString &question) {
        return QMessageBox::question(this, tr("Roll back"), question) == QMessageBox::Yes;
    };
    connect(refresh, &QPushButton::clicked, this, &HistoryPage::reload);
    connect(m_filter, &QLineEdit::editingFinished, this, &HistoryPage::reload);
    for (QComboBox *combo : {m_hostFilter, m_outcomeFilter})
        connect(combo, &QComboBox::currentIndexChanged, this, &HistoryPage::reload);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { showDetails(current.row()); });
    connect(m_rollback, &QPushButton::clicked, this,
            [this] { rollback(m_table->currentIndex().row()); });
    connect(m_model, &HistoryModel::pageLoaded, this, [this] {
        const QString loaded = m_model->lastError().isEmpty()
                                   ? tr("%n record(s) loaded", nullptr, m_model->rowCount())
                                   : m_model->lastError();
        m_status->setText(m_lastOutcome.isEmpty() ? loaded : m_lastOutcome + u" · "_s + loaded);
        if (m_wantedRecord > 0)
            selectRecord(std::exchange(m_wantedRecord, 0));
    });
}

void HistoryPage::setRegistry(const Registry &registry)
{
    m_registry = registry;
    const QString host = m_hostFilter->currentData().toString();
    const QSignalBlocker quiet(m_hostFilter);
    while (m_hostFilter->count() > 1)
        m_hostFilter->removeItem(1);
    for (const Host &h : registry.hosts)
        m_hostFilter->addItem(h.name, h.name);
    m_hostFilter->setCurrentIndex(std::max(0, m_hostFilter->findData(host)));
}

void HistoryPage::reload()
{
    m_details->clear();
    m_rollback->setEnabled(false);
    HistoryQuery filter;
    filter.service = m_filter->text().trimmed();
    filter.host = m_hostFilter->currentData().toString();
    filter.outcome = m_outcomeFilter->currentData().toString();
    m_model->reload(filter);
}

void HistoryPage::showRecord(qint64 id)
{
    // A deploy's records are the newest: the first page of the unfiltered history has them.
    m_filter->clear();
    const QSignalBlocker quietHosts(m_hostFilter);
    const QSignalBlocker quietOutcomes(m_outcomeFilter);
    m_hostFilter->setCurrentIndex(0);
    m_outcomeFilter->setCurrentIndex(0);
    m_wantedRecord = id;
    reload();
}

void HistoryPage::selectRecord(qint64 id)
{
    for (int row = 0; row < m_model->rowCount(); ++row) {
        if (m_model->record(row).id == id) {
            m_table->selectRow(row);
            m_table->scrollTo(m_model->index(row, 0));
            return;
        }
    }
}

void HistoryPage::showDetails(int row)
{
    if (row < 0 || row >= m_model->rowCount()) {
        m_details->clear();
        m_rollback->setEnabled(false);
        return;
    }
    const DeploymentRecord &r = m_model->record(row);
    QStringList lines{
        tr("#%1 %2 of %3 on %4 by %5: %6")
            .arg(r.id)
            .arg(toString(r.action), r.service, r.host, r.actor, toString(r.outcome))};
    if (!r.reason.isEmpty())
        lines << r.reason;
    if (!r.releaseId.isEmpty())
        lines << tr("release %1 (before: %2)")
                     .arg(r.releaseId,
                          r.previousReleaseId.isEmpty() ? tr("none") : r.previousReleaseId);
    lines << QString() << tr("Steps:");
    for (const StepRecord &s : r.steps)
        lines << QStringLiteral("  %1 %2  %3 ms%4")
                     .arg(s.ok ? QStringLiteral("✓") : QStringLiteral("✗"), s.name)
                     .arg(s.durationMs)
                     .arg(s.output.isEmpty()
                              ? QString()
                              : QStringLiteral("  ") + s.output.section(u'\n', 0, 0));
    // The config diff against this service's record before it (newest first: further down).
    for (int older = row + 1; older < m_model->rowCount(); ++older) {
        const DeploymentRecord &before = m_model->record(older);
        if (before.service != r.service || before.config.isEmpty())
            continue;
        const QStringList diff = ConfigDiff::between(before.config, r.config);
        lines << QString() << tr("Config against #%1:").arg(before.id);
        lines << (diff.isEmpty() ? QStringList{tr("  (the same)")} : diff);
        break;
    }
    m_details->setPlainText(lines.join(u'\n'));
    // Only to a release that passed its gate (the CLI's rollback --force does the rest).
    m_rollback->setEnabled(r.canRollBack() && m_link->may(Role::Operator));
    if (!m_link->may(Role::Operator))
        m_rollback->setToolTip(roleNeeded(Role::Operator));
}

void HistoryPage::rollback(int row)
{
    if (!m_registry || row < 0 || row >= m_model->rowCount())
        return;
    const DeploymentRecord r = m_model->record(row);
    const QString question =
        tr("Roll %1 on %2 back to release %3, as record #%4 deployed it?\n\nThat release is "
           "started again with the configuration it had then (the registry file is not changed; "
           "the next plan shows the difference). This is recorded as a new rollback.")
            .arg(r.service, r.host, r.releaseId)
            .arg(r.id);
    if (!m_confirm(question))
        return;
    m_rollback->setEnabled(false);
    m_status->setText(tr("Rolling back %1 to #%2…").arg(r.service).arg(r.id));
    const Registry registry = *m_registry;
    m_link->rollback(registry, r.id).then(this, [this](Result<DeploymentRecord> result) {
        // Kept in the status line while the reloaded table reports its pages.
        m_lastOutcome = result
                            ? tr("Rollback #%1: %2").arg(result->id).arg(toString(result->outcome))
                            : tr("Rollback failed: %1").arg(result.error().message);
        reload();
        emit rolledBack();
    });
}

} // namespace Portoser
