// SPDX-License-Identifier: Apache-2.0
// The keychain from many threads at once, as the desktop app's orchestrator threads use it: every
// call answers (here: no keychain on this bus, Unreachable) and nothing crashes. QtKeychain's
// job queue is process-wide; used from several threads directly it delivered events across
// threads and crashed.
#include "core/secrets/Keychain.h"

#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>
#include <vector>

using namespace Portoser;

class TestKeychainThreads : public QObject
{
    Q_OBJECT

private slots:
    void manyThreadsAtOnce();
};

void TestKeychainThreads::manyThreadsAtOnce()
{
    // No session bus: QtKeychain answers at once that there is no keychain (the real Secret
    // Service is TestKeychain's business); what is tested is the threads.
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/portoser-test-bus");
    std::atomic<int> answered{0};
    std::vector<std::unique_ptr<QThread>> threads;
    for (int t = 0; t < 6; ++t) {
        threads.emplace_back(QThread::create([&answered] {
            for (int i = 0; i < 15; ++i) {
                const auto read = Keychain::read(QStringLiteral("portoser-test-entry"));
                if (!read && read.error().code == ErrorCode::Unreachable)
                    ++answered;
            }
        }));
        threads.back()->start();
    }
    for (auto &thread : threads)
        QVERIFY(thread->wait(60000));
    QCOMPARE(answered.load(), 6 * 15);
    // The threads that asked are gone; the keychain still answers.
    QVERIFY(!Keychain::read(QStringLiteral("portoser-test-entry")));
}

QTEST_GUILESS_MAIN(TestKeychainThreads)
#include "TestKeychainThreads.moc"
