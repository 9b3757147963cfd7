// SPDX-License-Identifier: Apache-2.0
#include "core/secrets/Keychain.h"

#include <QEventLoop>
#include <qt6keychain/keychain.h>

namespace Portoser::Keychain {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr auto Service = "portoser";

/** Runs a QtKeychain job to its end on a local event loop; maps its error. */
Result<void> run(QKeychain::Job &job, const QString &entry)
{
    job.setAutoDelete(false);
    job.setInsecureFallback(false);
    job.setKey(entry);
    QEventLoop loop;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, &QEventLoop::quit);
    job.start();
    loop.exec();
    switch (job.error()) {
    case QKeychain::NoError:
        return {};
    case QKeychain::EntryNotFound:
        return Error{ErrorCode::NotFound, u"keychain: no entry portoser/%1"_s.arg(entry)};
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        return Error{ErrorCode::Unreachable,
                     u"no OS keychain is available (%1)"_s.arg(job.errorString())};
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return Error{ErrorCode::PermissionDenied,
                     u"keychain: access to portoser/%1 denied"_s.arg(entry)};
    default: // e.g. no session bus to reach the Secret Service on
        return Error{ErrorCode::Unreachable,
                     u"the OS keychain is not reachable (%1)"_s.arg(job.errorString())};
    }
}

} // namespace

Result<QByteArray> read(const QString &entry)
{
    QKeychain::ReadPasswordJob job{QString::fromLatin1(Service)};
    if (auto done = run(job, entry); !done)
        return done.error();
    return job.binaryData();
}

Result<void> write(const QString &entry, const QByteArray &secret)
{
    QKeychain::WritePasswordJob job{QString::fromLatin1(Service)};
    job.setBinaryData(secret);
    return run(job, entry);
}

Result<void> remove(const QString &entry)
{
    QKeychain::DeletePasswordJob job{QString::fromLatin1(Service)};
    return run(job, entry);
}

} // namespace Portoser::Keychain
