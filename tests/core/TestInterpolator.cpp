// SPDX-License-Identifier: Apache-2.0
#include "core/registry/Interpolator.h"

#include <QTest>

using namespace Portoser;

class TestInterpolator : public QObject
{
    Q_OBJECT

private slots:
    void expand_data();
    void expand();
    void problems_data();
    void problems();
};

namespace {

Interpolator fixture()
{
    return Interpolator([](const QString &name) -> std::optional<QString> {
        if (name == u"HOME_DIR")
            return QStringLiteral("/home/ops");
        if (name == u"EMPTY")
            return QString();
        if (name == u"PORT")
            return QStringLiteral("8080");
        return std::nullopt;
    });
}

} // namespace

void TestInterpolator::expand_data()
{
    QTest::addColumn<QString>("raw");
    QTest::addColumn<QString>("expected");
    QTest::addRow("no variables") << "plain text"
                                  << "plain text";
    QTest::addRow("set variable") << "${HOME_DIR}/svc"
                                  << "/home/ops/svc";
    QTest::addRow("two variables") << "${HOME_DIR}:${PORT}"
                                   << "/home/ops:8080";
    QTest::addRow("default used when unset") << "${MISSING:-fallback}"
                                             << "fallback";
    QTest::addRow("default ignored when set") << "${PORT:-9999}"
                                              << "8080";
    QTest::addRow("empty value takes the default") << "${EMPTY:-x}"
                                                   << "x";
    QTest::addRow("empty value without default") << "[${EMPTY}]"
                                                 << "[]";
    QTest::addRow("empty default") << "a${MISSING:-}b"
                                   << "ab";
    QTest::addRow("default with colon and slash") << "${MISSING:-http://h:1/p}"
                                                  << "http://h:1/p";
    QTest::addRow("double dollar is a literal dollar") << "cost $$5"
                                                       << "cost $5";
    QTest::addRow("escaped reference stays literal") << "$${HOME_DIR}"
                                                     << "${HOME_DIR}";
    QTest::addRow("lone dollar stays") << "a $ b $"
                                       << "a $ b $";
    QTest::addRow("shell-style $VAR is not expanded") << "$HOME_DIR"
                                                      << "$HOME_DIR";
}

void TestInterpolator::expand()
{
    QFETCH(QString, raw);
    QFETCH(QString, expected);
    const auto outcome = fixture().expand(raw);
    QVERIFY2(outcome.problems.isEmpty(), qPrintable(outcome.problems.value(0).message));
    QCOMPARE(outcome.text, expected);
}

void TestInterpolator::problems_data()
{
    QTest::addColumn<QString>("raw");
    QTest::addColumn<qsizetype>("offset");
    QTest::addColumn<QString>("needle");
    QTest::addRow("unset without default") << "x ${NOPE} y" << qsizetype(2) << "NOPE is not set";
    QTest::addRow("second reference unset") << "${PORT}-${NOPE}" << qsizetype(8) << "NOPE";
    QTest::addRow("unterminated") << "abc ${PORT" << qsizetype(4) << "unterminated";
    QTest::addRow("invalid name") << "${1ABC}" << qsizetype(0) << "not a valid variable";
    QTest::addRow("empty name") << "${}" << qsizetype(0) << "not a valid variable";
    QTest::addRow("command substitution is not a name")
        << "${$(id)}" << qsizetype(0) << "not a valid variable";
}

void TestInterpolator::problems()
{
    QFETCH(QString, raw);
    QFETCH(qsizetype, offset);
    QFETCH(QString, needle);
    const auto outcome = fixture().expand(raw);
    QCOMPARE(outcome.problems.size(), 1);
    QCOMPARE(outcome.problems.first().offset, offset);
    QVERIFY2(outcome.problems.first().message.contains(needle),
             qPrintable(outcome.problems.first().message));
}

QTEST_GUILESS_MAIN(TestInterpolator)
#include "TestInterpolator.moc"
