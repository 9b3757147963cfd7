// SPDX-License-Identifier: Apache-2.0
#include "widgets/Icons.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QBuffer>
#include <QColor>
#include <QFile>
#include <QImageReader>
#include <QPixmap>
#include <QTabWidget>

namespace Portoser::Icons {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr char IconProperty[] = "portoserIcon";

QColor strokeColour(const QWidget *widget)
{
    return (widget ? widget->palette() : QApplication::palette()).color(QPalette::ButtonText);
}

} // namespace

QIcon themed(const QString &name, const QColor &colour)
{
    QFile file(u":/icons/%1.svg"_s.arg(name));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QByteArray svg = file.readAll();
    svg.replace("currentColor", colour.name().toLatin1());
    // Rendered per size by Qt's SVG image plugin: sharp at each size the styles ask for.
    QIcon icon;
    for (const int size : {16, 22, 24, 32, 48, 64}) {
        QBuffer buffer(&svg);
        QImageReader reader(&buffer, "svg");
        reader.setScaledSize({size, size});
        if (const QImage image = reader.read(); !image.isNull())
            icon.addPixmap(QPixmap::fromImage(image));
    }
    return icon;
}

void set(QAction *action, const QString &name)
{
    action->setProperty(IconProperty, name);
    action->setIcon(themed(name, strokeColour(nullptr)));
}

void set(QAbstractButton *button, const QString &name)
{
    button->setProperty(IconProperty, name);
    button->setIcon(themed(name, strokeColour(button)));
}

void set(QTabWidget *tabs, int index, const QString &name)
{
    tabs->widget(index)->setProperty(IconProperty, name);
    tabs->setTabIcon(index, themed(name, strokeColour(tabs)));
}

void retint(QWidget *root)
{
    const QColor colour = strokeColour(root);
    for (QAction *action : root->findChildren<QAction *>()) {
        if (const QString name = action->property(IconProperty).toString(); !name.isEmpty())
            action->setIcon(themed(name, colour));
    }
    for (QAbstractButton *button : root->findChildren<QAbstractButton *>()) {
        if (const QString name = button->property(IconProperty).toString(); !name.isEmpty())
            button->setIcon(themed(name, colour));
    }
    for (QTabWidget *tabs : root->findChildren<QTabWidget *>()) {
        for (int i = 0; i < tabs->count(); ++i) {
            if (const QString name = tabs->widget(i)->property(IconProperty).toString();
                !name.isEmpty())
                tabs->setTabIcon(i, themed(name, colour));
        }
    }
}

QIcon application()
{
    return QIcon(u":/icons/portoser.svg"_s);
}

} // namespace Portoser::Icons
