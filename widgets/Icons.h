// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QIcon>

class QAbstractButton;
class QAction;
class QColor;
class QTabWidget;

namespace Portoser::Icons {

/** The SVG icon `name` from resources/icons, drawn in `colour` (its strokes are currentColor),
 *  so the icons follow the palette: dark strokes on a light theme, light ones on a dark theme. */
QIcon themed(const QString &name, const QColor &colour);

/** Give an action, a button or a tab the themed icon `name`, and remember the name so that
 *  `retint` can draw it again when the palette changes (the system switched to dark mode). */
void set(QAction *action, const QString &name);
void set(QAbstractButton *button, const QString &name);
void set(QTabWidget *tabs, int index, const QString &name);
void retint(QWidget *root);

/** The application's own (coloured) icon. */
QIcon application();

} // namespace Portoser::Icons
