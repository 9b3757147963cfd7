// SPDX-License-Identifier: Apache-2.0
#include "core/registry/FieldRules.h"

#include <QTest>

using namespace Portoser;

class TestFieldRules : public QObject
{
    Q_OBJECT

private slots:
    void names_data();
    void names();
    void paths_data();
    void paths();
    void injectionIsRefusedEverywhere_data();
    void injectionIsRefusedEverywhere();
    void ports_data();
    void ports();
    void addresses_data();
    void addresses();
};

void TestFieldRules::names_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<bool>("accepted");
    QTest::addRow("simple") << "api" << true;
    QTest::addRow("dashes dots underscores") << "mlx-backend_2.prod" << true;
    QTest::addRow("starts with digit") << "3dprinter" << true;
    QTest::addRow("empty") << "" << false;
    QTest::addRow("starts with dash") << "-rf" << false;
    QTest::addRow("space") << "my service" << false;
    QTest::addRow("slash") << "a/b" << false;
    QTest::addRow("dot dot") << "a..b" << false;
    QTest::addRow("too long") << QString(65, u'a') << false;
    QTest::addRow("unicode letters") << "sérvice" << false;
}

void TestFieldRules::names()
{
    QFETCH(QString, value);
    QFETCH(bool, accepted);
    QCOMPARE(!FieldRules::checkName(value).has_value(), accepted);
}

void TestFieldRules::paths_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<bool>("accepted");
    QTest::addRow("absolute") << "/srv/services" << true;
    QTest::addRow("relative") << "app/service.yml" << true;
    QTest::addRow("home") << "~/services" << true;
    QTest::addRow("space in a macOS path") << "/Users/ops/Application Support/x" << true;
    QTest::addRow("plus at and comma") << "/opt/a+b/c@d,e" << true;
    QTest::addRow("dot segment is fine") << "./app/./x" << true;
    QTest::addRow("parent segment") << "/srv/../etc" << false;
    QTest::addRow("parent at start") << "../x" << false;
    QTest::addRow("tilde user") << "~root/x" << false;
    QTest::addRow("tilde inside") << "/srv/~x" << false;
    QTest::addRow("leading dash") << "-rf" << false;
    QTest::addRow("glob") << "/srv/*" << false;
}

void TestFieldRules::paths()
{
    QFETCH(QString, value);
    QFETCH(bool, accepted);
    QCOMPARE(!FieldRules::checkPath(value).has_value(), accepted);
}

// The upstream command-injection suite: each must be refused by every name-like rule.
void TestFieldRules::injectionIsRefusedEverywhere_data()
{
    QTest::addColumn<QString>("value");
    QTest::addRow("semicolon rm") << "x; rm -rf /";
    QTest::addRow("command substitution") << "$(touch /tmp/pwned)";
    QTest::addRow("backticks") << "`id`";
    QTest::addRow("pipe") << "a|nc evil 1";
    QTest::addRow("and and") << "a && reboot";
    QTest::addRow("parent traversal") << "../../etc/passwd";
    QTest::addRow("NUL byte") << QStringLiteral("a") + QChar(0) + QStringLiteral("b");
    QTest::addRow("newline") << "a\nreboot";
    QTest::addRow("carriage return") << "a\rreboot";
    QTest::addRow("redirect") << "a>/etc/x";
    QTest::addRow("quote") << "a'b";
    QTest::addRow("variable") << "${IFS}x";
}

void TestFieldRules::injectionIsRefusedEverywhere()
{
    QFETCH(QString, value);
    QVERIFY(FieldRules::checkName(value).has_value());
    QVERIFY(FieldRules::checkUser(value).has_value());
    QVERIFY(FieldRules::checkPath(value).has_value());
    QVERIFY(FieldRules::checkHostname(value).has_value());
    QVERIFY(FieldRules::checkAddress(value).has_value());
    QVERIFY(FieldRules::checkPort(value).has_value());
}

void TestFieldRules::ports_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<bool>("accepted");
    QTest::addRow("low") << "1" << true;
    QTest::addRow("high") << "65535" << true;
    QTest::addRow("zero") << "0" << false;
    QTest::addRow("too high") << "65536" << false;
    QTest::addRow("negative") << "-1" << false;
    QTest::addRow("word") << "http" << false;
    QTest::addRow("trailing junk") << "8080x" << false;
    QTest::addRow("empty") << "" << false;
}

void TestFieldRules::ports()
{
    QFETCH(QString, value);
    QFETCH(bool, accepted);
    QCOMPARE(!FieldRules::checkPort(value).has_value(), accepted);
}

void TestFieldRules::addresses_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<bool>("accepted");
    QTest::addRow("ipv4") << "192.168.1.10" << true;
    QTest::addRow("ipv6") << "fd00::1" << true;
    QTest::addRow("host name") << "pi1.local" << true;
    QTest::addRow("octet too big") << "192.168.1.300" << false;
    QTest::addRow("three octets") << "10.0.1" << false;
    QTest::addRow("bad ipv6") << "fd00:::1::" << false;
    QTest::addRow("underscore host") << "bad_host" << false;
    QTest::addRow("label starts with dash") << "-pi.local" << false;
}

void TestFieldRules::addresses()
{
    QFETCH(QString, value);
    QFETCH(bool, accepted);
    QCOMPARE(!FieldRules::checkAddress(value).has_value(), accepted);
}

QTEST_GUILESS_MAIN(TestFieldRules)
#include "TestFieldRules.moc"
