// SPDX-License-Identifier: Apache-2.0
#include "core/secrets/Keychain.h"

#include <QEventLoop>
#include <QThread>
#include <qt6keychain/keychain.h>

namespace Portoser::Keychain {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr auto Service = "portoser";

/**
 * The one thread every keychain call runs on. QtKeychain queues its jobs in a process-wide
 * executor that lives in the thread which used it first; jobs started from other threads (the
 * GUI's orchestrator threads each open the secrets store) made it deliver events to objects of
 * another thread, and crash. So callers from any thread hand their job over here and wait.
 */
class KeychainThread
{
public:
    KeychainThread()
        : m_context(new QObject)
    {
        m_thread.setObjectName(u"keychain"_s);
        m_context->moveToThread(&m_thread);
        QObject::connect(&m_thread, &QThread::finished, m_context, &QObject::deleteLater);
        m_thread.start();
    }
    ~KeychainThread()
    {
        m_thread.quit();
        m_thread.wait();
    }
    Q_DISABLE_COPY_MOVE(KeychainThread)

    static KeychainThread &instance()
    {
        static KeychainThread thread;
        return thread;
    }

    template <typename Fn>
    auto call(Fn fn) -> decltype(fn())
    {
        if (QThread::currentThread() == &m_thread)
            return fn();
        decltype(fn()) result;
        QMetaObject::invokeMethod(
            m_context, [&result, &fn] { result = fn(); }, Qt::BlockingQueuedConnection);
        return result;
    }

private:
    QThread m_thread;
    QObject *m_context;
};

/** What a QtKeychain job answered. The job goes with deleteLater: QtKeychain posts events that
 *  still refer to a job after it finished. */
struct Answer
{
    QKeychain::Error error = QKeychain::NoError;
    QString errorString;
    QByteArray data;
};

Answer runHere(QKeychain::Job *job, const QString &entry)
{
    job->setAutoDelete(false);
    job->setInsecureFallback(false);
    job->setKey(entry);
    QEventLoop loop;
    QObject::connect(job, &QKeychain::Job::finished, &loop, &QEventLoop::quit);
    job->start();
    loop.exec();
    Answer answer{job->error(), job->errorString(), {}};
    if (auto *read = qobject_cast<QKeychain::ReadPasswordJob *>(job))
        answer.data = read->binaryData();
    job->deleteLater();
    return answer;
}

/** Makes the job with `make` and runs it to its end, on the keychain thread. */
template <typename Make>
Answer run(Make make, const QString &entry)
{
    return KeychainThread::instance().call([&make, &entry] { return runHere(make(), entry); });
}

Result<void> toResult(const Answer &answer, const QString &entry)
{
    switch (answer.error) {
    case QKeychain::NoError:
        return {};
    case QKeychain::EntryNotFound:
        return Error{ErrorCode::NotFound, u"keychain: no entry portoser/%1"_s.arg(entry)};
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        return Error{ErrorCode::Unreachable,
                     u"no OS keychain is available (%1)"_s.arg(answer.errorString)};
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return Error{ErrorCode::PermissionDenied,
                     u"keychain: access to portoser/%1 denied"_s.arg(entry)};
    default: // e.g. no session bus to reach the Secret Service on
        return Error{ErrorCode::Unreachable,
                     u"the OS keychain is not reachable (%1)"_s.arg(answer.errorString)};
    }
}

} // namespace

Result<QByteArray> read(const QString &entry)
{
    const Answer answer =
        run([] { return new QKeychain::ReadPasswordJob(QString::fromLatin1(Service)); }, entry);
    if (auto done = toResult(answer, entry); !done)
        return done.error();
    return answer.data;
}

Result<void> write(const QString &entry, const QByteArray &secret)
{
    return toResult(run(
                        [&secret] {
                            auto *job =
                                new QKeychain::WritePasswordJob(QString::fromLatin1(Service));
                            job->setBinaryData(secret);
                            return job;
                        },
                        entry),
                    entry);
}

Result<void> remove(const QString &entry)
{
    return toResult(
        run([] { return new QKeychain::DeletePasswordJob(QString::fromLatin1(Service)); }, entry),
        entry);
}

} // namespace Portoser::Keychain
