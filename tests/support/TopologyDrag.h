// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "widgets/TopologyView.h"

#include <QApplication>
#include <QMouseEvent>
#include <QTest>

namespace Portoser::Test {

/** Drags `service`'s chip onto `toHost`'s card with mouse events, as a hand would: press, ten
 *  moves with the button held (QTest::mouseMove carries no buttons), release. */
inline void dragChip(TopologyView *view, const QString &service, const QString &toHost)
{
    QWidget *viewport = view->viewport();
    const QPoint from = view->chipPosition(service);
    const QPoint to = view->hostPosition(toHost);
    QVERIFY(!from.isNull() && !to.isNull());
    QTest::mousePress(viewport, Qt::LeftButton, {}, from);
    for (int i = 1; i <= 10; ++i) {
        const QPoint at = from + (to - from) * i / 10;
        QMouseEvent move(QEvent::MouseMove, at, viewport->mapToGlobal(at), Qt::NoButton,
                         Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(viewport, &move);
    }
    QTest::mouseRelease(viewport, Qt::LeftButton, {}, to);
}

} // namespace Portoser::Test
