// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QMetaObject>
#include <QPointer>

namespace Portoser {

/** Runs `done` on `page`'s (the GUI) thread with `value`, unless `page` is gone by then: how
 *  work finished on an orchestrator thread reports back to a widget. */
template <typename T, typename Fn>
void backTo(QPointer<QObject> page, T value, Fn done)
{
    if (!page)
        return;
    QMetaObject::invokeMethod(
        page.data(),
        [page, value = std::move(value), done = std::move(done)] {
            if (page)
                done(value);
        },
        Qt::QueuedConnection);
}

} // namespace Portoser
