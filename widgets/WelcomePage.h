// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QWidget>

class QLabel;

namespace Portoser {

/**
 * What a first start shows instead of an empty canvas: open a registry, try the demo (a copy
 * that runs on this machine), create a registry from a first host, or connect to a
 * coordinator.
 */
class WelcomePage : public QWidget
{
    Q_OBJECT

public:
    explicit WelcomePage(QWidget *parent = nullptr);
    /** Says why it shows (the registry that was looked for). */
    void setLookedFor(const QString &path);

signals:
    void openRequested();
    void demoRequested();
    void createRequested();
    void connectRequested();

private:
    QLabel *m_lookedFor;
};

} // namespace Portoser
