// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QBoxLayout>
#include <QLabel>
#include <QSplitter>

namespace Portoser {

/** The shape of the list pages (health, history): a bar of controls, a list above its details,
 *  and a status line. */
inline void layOutPage(QWidget *page, QBoxLayout *bar, QWidget *list, QWidget *details,
                       QLabel *status)
{
    auto *split = new QSplitter(Qt::Vertical, page);
    split->addWidget(list);
    split->addWidget(details);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(page);
    layout->addLayout(bar);
    layout->addWidget(split, 1);
    layout->addWidget(status);
}

} // namespace Portoser
