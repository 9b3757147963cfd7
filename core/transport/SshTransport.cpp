// SPDX-License-Identifier: Apache-2.0
// libssh adapter: the only file that sees libssh.
#include "core/transport/SshTransport.h"

#include "core/transport/FramedShell.h"

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>

#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include <csignal>
#include <mutex>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>

namespace Portoser {

namespace {

using namespace Qt::Literals::StringLiterals;

constexpr int ReadSliceMs = 20; // how long one read waits on stdout before looking at stderr
constexpr qint64 ProbeAfterIdleMs =
    2000; // a session idle this long is checked before it is trusted

QString lastError(ssh_session session)
{
    return QString::fromUtf8(ssh_get_error(session));
}

/** "ED25519 SHA256:..." of the key the server offers. */
QString serverFingerprint(ssh_session session)
{
    ssh_key key = nullptr;
    if (ssh_get_server_publickey(session, &key) != SSH_OK)
        return u"(unknown key)"_s;
    unsigned char *hash = nullptr;
    size_t length = 0;
    QString text = QString::fromLatin1(ssh_key_type_to_char(ssh_key_type(key))).toUpper();
    if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &length) == 0) {
        char *fingerprint = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, length);
        text += u' ' + QString::fromLatin1(fingerprint);
        ssh_string_free_char(fingerprint);
        ssh_clean_pubkey_hash(&hash);
    }
    ssh_key_free(key);
    return text;
}

/** The resident `sh` on one session channel. */
class SshShellPipe : public ShellPipe
{
public:
    void setSession(ssh_session session) { m_session = session; }

    Result<void> start() override
    {
        stop();
        if (!m_session)
            return Error{ErrorCode::Unreachable, u"not connected"_s};
        m_channel = ssh_channel_new(m_session);
        if (!m_channel || ssh_channel_open_session(m_channel) != SSH_OK
            || ssh_channel_request_exec(m_channel, "exec /bin/sh") != SSH_OK) {
            const QString why = lastError(m_session);
            stop();
            return Error{ErrorCode::Unreachable, u"cannot start a shell: %1"_s.arg(why)};
        }
        return {};
    }

    bool isAlive() const override
    {
        return m_channel && ssh_channel_is_open(m_channel) && !ssh_channel_is_eof(m_channel);
    }

    /** Reads what the network already delivered, without waiting: notices a closed connection. */
    bool stillOpen()
    {
        if (!isAlive())
            return false;
        const int polled = ssh_channel_poll(m_channel, 0);
        return polled != SSH_ERROR && polled != SSH_EOF && isAlive();
    }

    Result<void> write(const QByteArray &bytes) override
    {
        qsizetype done = 0;
        while (done < bytes.size()) {
            if (!isAlive())
                return Error{ErrorCode::Unreachable, u"the shell channel is closed"_s};
            const int n = ssh_channel_write(m_channel, bytes.constData() + done,
                                            uint32_t(bytes.size() - done));
            if (n == SSH_ERROR)
                return Error{ErrorCode::Unreachable,
                             u"write failed: %1"_s.arg(lastError(m_session))};
            done += n;
        }
        return {};
    }

    Chunk read(int timeoutMs) override
    {
        QElapsedTimer clock;
        clock.start();
        char buffer[65536];
        for (;;) {
            for (int isStderr : {1, 0}) { // drain stderr first: stdout ends each frame
                const int available = ssh_channel_poll(m_channel, isStderr);
                if (available == SSH_ERROR || available == SSH_EOF)
                    return {{}, false, true};
                if (available > 0) {
                    const int n =
                        ssh_channel_read_nonblocking(m_channel, buffer, sizeof buffer, isStderr);
                    if (n < 0)
                        return {{}, false, true};
                    if (n > 0)
                        return {QByteArray(buffer, n), isStderr == 1, false};
                }
            }
            const qint64 left = timeoutMs - clock.elapsed();
            if (left <= 0)
                return {};
            const int waited =
                ssh_channel_poll_timeout(m_channel, int(std::min<qint64>(left, ReadSliceMs)), 0);
            if (waited == SSH_ERROR || (waited == SSH_EOF && ssh_channel_poll(m_channel, 1) <= 0))
                return {{}, false, true};
        }
    }

    void stop() override
    {
        if (!m_channel)
            return;
        if (ssh_channel_is_open(m_channel))
            ssh_channel_close(m_channel);
        ssh_channel_free(m_channel);
        m_channel = nullptr;
    }

    ~SshShellPipe() override { stop(); }

private:
    ssh_session m_session = nullptr;
    ssh_channel m_channel = nullptr;
};

} // namespace

class SshTransport::Private
{
public:
    explicit Private(SshTarget t)
        : target(std::move(t))
        , shell(&pipe)
    {}

    Result<void> establish();
    Result<void> verifyHostKey();
    Result<void> authenticate();
    void enableKeepalive();
    void drop();
    bool looksAlive() { return session && ssh_is_connected(session) && pipe.stillOpen(); }
    QString where() const
    {
        return u"%1 (%2:%3)"_s
            .arg(target.hostName.isEmpty() ? target.address : target.hostName, target.address)
            .arg(target.port);
    }
    QString knownHostsFile() const
    {
        return target.knownHosts.isEmpty() ? QDir::home().filePath(u".ssh/known_hosts"_s)
                                           : target.knownHosts;
    }

    SshTarget target;
    ssh_session session = nullptr;
    // Opened by the first upload and kept with the session: each new SFTP channel costs a
    // session process and an sftp-server start on the host.
    sftp_session sftp = nullptr;
    SshShellPipe pipe;
    FramedShell shell;
    QElapsedTimer idle;
    int connects = 0;
};

Result<void> SshTransport::Private::establish()
{
    drop();
    session = ssh_new();
    if (!session)
        return Error{ErrorCode::Failed, u"cannot create an SSH session"_s};
    const QByteArray address = target.address.toUtf8();
    const QByteArray user = target.user.toUtf8();
    const QByteArray knownHosts = QFile::encodeName(knownHostsFile());
    int port = target.port;
    long seconds = long(target.connectTimeout.count() / 1000);
    long micros = long((target.connectTimeout.count() % 1000) * 1000);
    int nodelay = 1;
    int verbosity = SSH_LOG_NOLOG;
    bool processConfig = false; // the registry, not ~/.ssh/config, says where a host is
    ssh_options_set(session, SSH_OPTIONS_HOST, address.constData());
    ssh_options_set(session, SSH_OPTIONS_PORT, &port);
    if (!user.isEmpty())
        ssh_options_set(session, SSH_OPTIONS_USER, user.constData());
    ssh_options_set(session, SSH_OPTIONS_TIMEOUT, &seconds);
    ssh_options_set(session, SSH_OPTIONS_TIMEOUT_USEC, &micros);
    ssh_options_set(session, SSH_OPTIONS_NODELAY, &nodelay);
    ssh_options_set(session, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
    ssh_options_set(session, SSH_OPTIONS_PROCESS_CONFIG, &processConfig);
    ssh_options_set(session, SSH_OPTIONS_KNOWNHOSTS, knownHosts.constData());

    if (ssh_connect(session) != SSH_OK) {
        const QString why = lastError(session);
        drop();
        return Error{ErrorCode::Unreachable, u"cannot connect to %1: %2"_s.arg(where(), why)};
    }
    if (auto verified = verifyHostKey(); !verified) {
        drop();
        return verified;
    }
    if (auto authenticated = authenticate(); !authenticated) {
        drop();
        return authenticated;
    }
    enableKeepalive();
    pipe.setSession(session);
    if (auto started = pipe.start(); !started) {
        drop();
        return Error{ErrorCode::Unreachable, u"%1: %2"_s.arg(where(), started.error().message)};
    }
    ++connects;
    idle.start();
    return {};
}

Result<void> SshTransport::Private::verifyHostKey()
{
    const QString file = knownHostsFile();
    switch (ssh_session_is_known_server(session)) {
    case SSH_KNOWN_HOSTS_OK:
        return {};
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
        return Error{
            ErrorCode::PermissionDenied,
            u"HOST KEY MISMATCH for %1: it offers %2, which is not the key recorded in %3. This "
            "may be an attack (someone intercepting the connection) or the host was reinstalled. "
            "Portoser will not connect. If the change is expected, remove the old entry with "
            "'ssh-keygen -R %4 -f %3' and connect again."_s.arg(
                where(), serverFingerprint(session), file,
                target.port == 22 ? target.address
                                  : u"[%1]:%2"_s.arg(target.address).arg(target.port))};
    case SSH_KNOWN_HOSTS_NOT_FOUND:
    case SSH_KNOWN_HOSTS_UNKNOWN:
        if (target.hostKeyPolicy == HostKeyPolicy::AcceptNew) {
            QDir().mkpath(QFileInfo(file).absolutePath());
            if (ssh_session_update_known_hosts(session) != SSH_OK)
                return Error{ErrorCode::Failed, u"cannot record the host key of %1 in %2: %3"_s.arg(
                                                    where(), file, lastError(session))};
            return {};
        }
        return Error{
            ErrorCode::PermissionDenied,
            u"the host key of %1 is not known (%2 is not in %3). Check that fingerprint, then "
            "connect once with --accept-new-host-keys to trust it (or add it with ssh-keyscan)."_s
                .arg(where(), serverFingerprint(session), file)};
    case SSH_KNOWN_HOSTS_ERROR:
        break;
    }
    return Error{ErrorCode::Failed, u"cannot check the host key of %1 against %2: %3"_s.arg(
                                        where(), file, lastError(session))};
}

Result<void> SshTransport::Private::authenticate()
{
    int rc = SSH_AUTH_DENIED;
    QString tried;
    if (!target.keyFile.isEmpty()) {
        ssh_key key = nullptr;
        if (ssh_pki_import_privkey_file(QFile::encodeName(target.keyFile).constData(), nullptr,
                                        nullptr, nullptr, &key)
            != SSH_OK)
            return Error{
                ErrorCode::PermissionDenied,
                u"cannot read the SSH key %1 for %2 (missing, unreadable or passphrase-protected)"_s
                    .arg(target.keyFile, where())};
        rc = ssh_userauth_publickey(session, nullptr, key);
        ssh_key_free(key);
        tried = u"the key %1"_s.arg(target.keyFile);
    } else {
        rc = ssh_userauth_publickey_auto(session, nullptr, nullptr);
        tried = u"ssh-agent and the default keys in ~/.ssh"_s;
    }
    if (rc == SSH_AUTH_SUCCESS)
        return {};
    const QString user = target.user.isEmpty() ? qEnvironmentVariable("USER") : target.user;
    return Error{
        ErrorCode::PermissionDenied,
        u"permission denied: %1 did not accept %2 for user %3 (is the public key in that user's "
        "~/.ssh/authorized_keys?)"_s.arg(where(), tried, user)};
}

void SshTransport::Private::enableKeepalive()
{
    // Dead peers are noticed by the kernel within ~30 s even while the session is idle.
    const int fd = ssh_get_fd(session);
    if (fd < 0)
        return;
    int on = 1, idleSeconds = 15, interval = 5, count = 3;
    ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idleSeconds, sizeof idleSeconds);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
}

void SshTransport::Private::drop()
{
    pipe.stop();
    pipe.setSession(nullptr);
    if (sftp) {
        sftp_free(sftp);
        sftp = nullptr;
    }
    if (session) {
        if (ssh_is_connected(session))
            ssh_disconnect(session);
        ssh_free(session);
        session = nullptr;
    }
}

SshTransport::SshTransport(SshTarget target)
    : d(std::make_unique<Private>(std::move(target)))
{
    static std::once_flag once;
    std::call_once(once, [] {
        ssh_init();
        ::signal(SIGPIPE, SIG_IGN); // a dropped connection must give an error, not end the process
    });
}

SshTransport::~SshTransport()
{
    d->drop();
}

Result<void> SshTransport::connect()
{
    return d->looksAlive() ? Result<void>() : d->establish();
}

Result<CommandResult> SshTransport::run(const QString &script, std::chrono::milliseconds timeout,
                                        const OutputSink &sink)
{
    // A session that sat idle may have died without us noticing (sshd restarted, host rebooted).
    // Check it with one cheap round trip in the resident shell, and reconnect once if it is gone;
    // a script is never sent twice, so a failure while it runs is reported, not retried.
    bool healthy = d->looksAlive();
    if (healthy && d->idle.elapsed() > ProbeAfterIdleMs)
        healthy = d->shell.run(u":"_s, std::chrono::milliseconds(5000), {}).ok();
    if (!healthy) {
        if (auto connected = d->establish(); !connected)
            return connected.error();
    }
    auto result = d->shell.run(script, timeout, sink);
    d->idle.restart();
    if (!result) {
        Error error = result.error();
        error.message = u"%1: %2"_s.arg(d->where(), error.message);
        return error;
    }
    return result;
}

Result<void> SshTransport::upload(const QString &localPath, const QString &remotePath)
{
    if (auto connected = connect(); !connected)
        return connected;
    const QFileInfo source(localPath);
    if (!source.exists())
        return Error{ErrorCode::NotFound, u"%1 does not exist"_s.arg(localPath)};
    if (!d->sftp) {
        d->sftp = sftp_new(d->session);
        if (!d->sftp || sftp_init(d->sftp) != SSH_OK) {
            const QString why = lastError(d->session);
            if (d->sftp)
                sftp_free(d->sftp);
            d->sftp = nullptr;
            return Error{ErrorCode::Failed, u"%1: cannot start SFTP: %2"_s.arg(d->where(), why)};
        }
    }
    sftp_session sftp = d->sftp;
    const auto fail = [&](const QString &what, const QString &path) {
        return Error{ErrorCode::Failed,
                     u"%1: cannot %2 %3: %4"_s.arg(d->where(), what, path, lastError(d->session))};
    };
    const auto mode = [](const QFileInfo &info) {
        struct stat st = {};
        return ::stat(QFile::encodeName(info.filePath()).constData(), &st) == 0
                   ? mode_t(st.st_mode & 07777)
                   : mode_t(0644);
    };
    const auto sendFile = [&](const QFileInfo &from, const QString &to) -> Result<void> {
        QFile file(from.filePath());
        if (!file.open(QIODevice::ReadOnly))
            return Error{ErrorCode::Failed,
                         u"cannot read %1: %2"_s.arg(from.filePath(), file.errorString())};
        const QByteArray target = to.toUtf8();
        sftp_file remote =
            sftp_open(sftp, target.constData(), O_WRONLY | O_CREAT | O_TRUNC, mode(from));
        if (!remote)
            return fail(u"create"_s, to);
        char buffer[32768]; // what every SFTP server accepts in one write
        for (;;) {
            const qint64 n = file.read(buffer, sizeof buffer);
            if (n <= 0)
                break;
            if (sftp_write(remote, buffer, size_t(n)) != ssize_t(n)) {
                sftp_close(remote);
                return fail(u"write"_s, to);
            }
        }
        sftp_close(remote);
        // The remote umask applied at creation; set the exact bits.
        if (sftp_chmod(sftp, target.constData(), mode(from)) != SSH_OK)
            return fail(u"chmod"_s, to);
        return {};
    };
    const auto makeDir = [&](const QFileInfo &from, const QString &to) -> Result<void> {
        const QByteArray target = to.toUtf8();
        if (sftp_mkdir(sftp, target.constData(), 0700) != SSH_OK
            && sftp_get_error(sftp) != SSH_FX_FILE_ALREADY_EXISTS)
            return fail(u"create directory"_s, to);
        if (sftp_chmod(sftp, target.constData(), mode(from)) != SSH_OK)
            return fail(u"chmod"_s, to);
        return {};
    };

    Result<void> outcome;
    if (source.isFile()) {
        outcome = sendFile(source, remotePath);
    } else if (outcome = makeDir(source, remotePath); outcome) {
        const QDir base(localPath);
        QDirIterator it(localPath,
                        QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System,
                        QDirIterator::Subdirectories);
        while (outcome && it.hasNext()) {
            const QFileInfo entry(it.next());
            const QString to = remotePath + u'/' + base.relativeFilePath(entry.filePath());
            if (entry.isDir() && !entry.isSymLink())
                outcome = makeDir(entry, to);
            else if (entry.isFile())
                outcome = sendFile(entry, to);
        }
    }
    if (!outcome) { // the next upload starts on a fresh channel, whatever broke this one
        sftp_free(d->sftp);
        d->sftp = nullptr;
    }
    d->idle.restart();
    return outcome;
}

void SshTransport::disconnect()
{
    d->drop();
}

QString SshTransport::describe() const
{
    const QString user = d->target.user.isEmpty() ? QString() : d->target.user + u'@';
    return u"ssh %1%2:%3"_s.arg(user, d->target.address).arg(d->target.port);
}

int SshTransport::connectCount() const
{
    return d->connects;
}

} // namespace Portoser
