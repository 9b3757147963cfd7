// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/registry/Registry.h"

#include <QMainWindow>

class QLabel;
class QTreeWidget;

namespace Portoser {

/**
 * The desktop control center. Until the GUI issue (#6) it shows the registry's hosts and
 * services and its validation issues, loaded off the GUI thread.
 */
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(const QString &registryPath, QWidget *parent = nullptr);

private:
    void showRegistry(const CheckedRegistry &checked);

    QString m_registryPath;
    QTreeWidget *m_clusterTree = nullptr;
    QTreeWidget *m_issuesTree = nullptr;
    QLabel *m_statusLabel = nullptr;
};

} // namespace Portoser
