// SPDX-License-Identifier: Apache-2.0
// libssh adapter: the only file that sees libssh.
#include "core/transport/SshTransport.h"

#include "core/transport/FramedShell.h"
#include "core/transport/ShellCommand.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QScopeGuard>

#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstddef>
#include <mutex>
#include <optional>
#include <thread>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#ifdef __linux__
#include <linux/tcp.h> // glibc's struct tcp_info lacks the byte counters the stall watch reads
#else
#include <netinet/tcp.h>
#endif

namespace Portoser {

namespace {

using namespace Qt::Literals::StringLiterals;

constexpr int ReadSliceMs = 20; // how long one read waits on stdout before looking at stderr
constexpr qint64 ProbeAfterIdleMs =
    2000; // a session idle this long is checked before it is trusted
// One write to the shell channel: libssh may wait inside a write (for the channel window, then
// to flush) up to its session timeout, and the deadline is looked at between writes.
constexpr qsizetype ShellWriteBytes = 64 * 1024;
constexpr int StopFlushMs = 200;         // how long closing the shell channel may wait to flush
constexpr int StallSampleMs = 250;       // how often the stall watch reads the socket's counters
constexpr qint64 SftpWriteBytes = 32768; // what every SFTP server accepts in one write
// Files through the shell: raw bytes per here-document (one decoder process each), base64 text
// per script (one round trip each), and the line length `openssl base64 -d` reads.
constexpr qint64 ShellPieceBytes = 192 * 1024;
constexpr qsizetype ShellBatchChars = 1024 * 1024;
constexpr qsizetype Base64LineChars = 64;
// An outer bound only: the stall watch ends a batch on a dead link long before.
constexpr std::chrono::milliseconds ShellBatchTimeout{10 * 60 * 1000};

QString lastError(ssh_session session)
{
    return QString::fromUtf8(ssh_get_error(session));
}

/** How long libssh's blocking calls wait for the network (SSH_OPTIONS_TIMEOUT). */
void setSessionTimeout(ssh_session session, std::chrono::milliseconds limit)
{
    long seconds = long(limit.count() / 1000);
    long micros = long((limit.count() % 1000) * 1000);
    if (seconds <= 0 && micros <= 0)
        micros = 1000; // zero would mean no limit at all
    ssh_options_set(session, SSH_OPTIONS_TIMEOUT, &seconds);
    ssh_options_set(session, SSH_OPTIONS_TIMEOUT_USEC, &micros);
}

QString secondsText(std::chrono::milliseconds ms)
{
    return QString::number(double(ms.count()) / 1000.0);
}

std::chrono::milliseconds stallTimeoutOf(const SshTarget &target)
{
    if (target.stallTimeout.count() > 0)
        return target.stallTimeout;
    bool ok = false;
    const double fromEnv = qEnvironmentVariable("PORTOSER_STALL_SECONDS").toDouble(&ok);
    if (ok && fromEnv > 0)
        return std::chrono::milliseconds(qint64(fromEnv * 1000));
    return Transport::DefaultStallTimeout;
}

/**
 * Ends a blocked libssh call once nothing has moved for `window`: a helper thread shuts the
 * session's socket down, so whatever waits on it returns an error. libssh 0.10 gives no deadline
 * there (sftp_write waits for its reply in a loop that only a socket error ends), and TCP keeps
 * retrying a link that went down for many minutes. Progress is what the peer acknowledged or sent
 * (the kernel's counters, on Linux) and every step the caller reports as done.
 */
class StallWatch
{
public:
    using Clock = std::chrono::steady_clock;

    StallWatch(int fd, std::chrono::milliseconds window)
        : m_fd(fd)
        , m_window(window)
        , m_last(Clock::now())
    {
        if (m_fd >= 0)
            m_thread = std::thread([this] { watch(); });
    }
    ~StallWatch()
    {
        {
            const std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_all();
        if (m_thread.joinable())
            m_thread.join();
    }
    Q_DISABLE_COPY_MOVE(StallWatch)

    void progress()
    {
        const std::lock_guard lock(m_mutex);
        m_last = Clock::now();
    }
    bool fired() const { return m_fired.load(); }

private:
    quint64 movedBytes() const
    {
#ifdef __linux__
        tcp_info info = {};
        socklen_t length = sizeof info;
        if (::getsockopt(m_fd, IPPROTO_TCP, TCP_INFO, &info, &length) == 0
            && length >= offsetof(tcp_info, tcpi_bytes_received) + sizeof info.tcpi_bytes_received)
            return info.tcpi_bytes_acked + info.tcpi_bytes_received;
#endif
        return 0;
    }

    void watch()
    {
        std::unique_lock lock(m_mutex);
        quint64 moved = movedBytes();
        while (!m_stop) {
            m_wake.wait_for(lock, std::chrono::milliseconds(StallSampleMs));
            if (m_stop)
                return;
            if (const quint64 now = movedBytes(); now != moved) {
                moved = now;
                m_last = Clock::now();
            }
            if (Clock::now() - m_last >= m_window) {
                m_fired = true;
                ::shutdown(m_fd, SHUT_RDWR); // the fd stays open: libssh closes it when dropped
                return;
            }
        }
    }

    const int m_fd;
    const std::chrono::milliseconds m_window;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    Clock::time_point m_last;
    bool m_stop = false;
    std::atomic<bool> m_fired{false};
    std::thread m_thread;
};

/** What an upload moved so far, for the caller's progress and the stall watch. */
class UploadMeter
{
public:
    UploadMeter(StallWatch &watch, const UploadProgress &progress, qint64 total)
        : m_watch(watch)
        , m_progress(progress)
        , m_total(total)
    {}

    /** A step the host confirmed, carrying `bytes` of file content. */
    void moved(qint64 bytes = 0)
    {
        m_watch.progress();
        m_sent += bytes;
        if (bytes > 0 && m_progress)
            m_progress(m_sent, m_total);
    }

private:
    StallWatch &m_watch;
    const UploadProgress &m_progress;
    qint64 m_total;
    qint64 m_sent = 0;
};

/** One thing to create on the host. */
struct UploadEntry
{
    QString from;
    QString to;
    bool isDir = false;
    mode_t mode = 0644;
    qint64 size = 0;
};

/** Opens an upload's local file; the error names it. */
Result<void> openSource(QFile &file)
{
    if (!file.open(QIODevice::ReadOnly))
        return Error{ErrorCode::Failed,
                     u"cannot read %1: %2"_s.arg(file.fileName(), file.errorString())};
    return {};
}

mode_t modeOf(const QString &path)
{
    struct stat st = {};
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? mode_t(st.st_mode & 07777)
                                                                 : mode_t(0644);
}

/** The tree in creation order (a directory before what it holds), as SFTP and the shell make it. */
QList<UploadEntry> uploadEntries(const QFileInfo &source, const QString &remotePath)
{
    if (source.isFile())
        return {{source.filePath(), remotePath, false, modeOf(source.filePath()), source.size()}};
    QList<UploadEntry> entries{{source.filePath(), remotePath, true, modeOf(source.filePath()), 0}};
    const QDir base(source.filePath());
    QDirIterator it(source.filePath(),
                    QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QFileInfo entry(it.next());
        const QString to = remotePath + u'/' + base.relativeFilePath(entry.filePath());
        if (entry.isDir() && !entry.isSymLink())
            entries.append({entry.filePath(), to, true, modeOf(entry.filePath()), 0});
        else if (entry.isFile())
            entries.append({entry.filePath(), to, false, modeOf(entry.filePath()), entry.size()});
    }
    return entries;
}

/** Where upload() puts files: SFTP, or the resident shell on a host without SFTP. */
class FileWriter
{
public:
    virtual ~FileWriter() = default;
    virtual Result<void> makeDir(const UploadEntry &entry) = 0;
    virtual Result<void> sendFile(const UploadEntry &entry) = 0;
    virtual Result<void> finish() { return {}; }
};

Result<void> writeAll(FileWriter &writer, const QList<UploadEntry> &entries)
{
    for (const UploadEntry &entry : entries) {
        if (auto done = entry.isDir ? writer.makeDir(entry) : writer.sendFile(entry); !done)
            return done;
    }
    return writer.finish();
}

class SftpWriter : public FileWriter
{
public:
    SftpWriter(ssh_session session, sftp_session sftp, UploadMeter &meter, QString where)
        : m_session(session)
        , m_sftp(sftp)
        , m_meter(meter)
        , m_where(std::move(where))
    {}

    Result<void> makeDir(const UploadEntry &entry) override
    {
        const QByteArray target = entry.to.toUtf8();
        if (sftp_mkdir(m_sftp, target.constData(), 0700) != SSH_OK
            && sftp_get_error(m_sftp) != SSH_FX_FILE_ALREADY_EXISTS)
            return fail(u"create directory"_s, entry.to);
        if (sftp_chmod(m_sftp, target.constData(), entry.mode) != SSH_OK)
            return fail(u"chmod"_s, entry.to);
        m_meter.moved();
        return {};
    }

    Result<void> sendFile(const UploadEntry &entry) override
    {
        QFile file(entry.from);
        if (auto opened = openSource(file); !opened)
            return opened;
        const QByteArray target = entry.to.toUtf8();
        sftp_file remote =
            sftp_open(m_sftp, target.constData(), O_WRONLY | O_CREAT | O_TRUNC, entry.mode);
        if (!remote)
            return fail(u"create"_s, entry.to);
        char buffer[SftpWriteBytes];
        for (;;) {
            const qint64 n = file.read(buffer, sizeof buffer);
            if (n <= 0)
                break;
            if (sftp_write(remote, buffer, size_t(n)) != ssize_t(n)) {
                sftp_close(remote);
                return fail(u"write"_s, entry.to);
            }
            m_meter.moved(n); // sftp_write returns once the server confirmed it
        }
        sftp_close(remote);
        // The remote umask applied at creation; set the exact bits.
        if (sftp_chmod(m_sftp, target.constData(), entry.mode) != SSH_OK)
            return fail(u"chmod"_s, entry.to);
        return {};
    }

private:
    Error fail(const QString &what, const QString &path) const
    {
        return Error{ErrorCode::Failed,
                     u"%1: cannot %2 %3: %4"_s.arg(m_where, what, path, lastError(m_session))};
    }

    ssh_session m_session;
    sftp_session m_sftp;
    UploadMeter &m_meter;
    QString m_where;
};

/*
 * Files through the resident shell, for hosts without SFTP (Dropbear without sftp-server, an sshd
 * with no `Subsystem sftp`), as Ansible falls back to piping. The content travels as base64 text
 * in here-documents inside ordinary scripts: text is all a shell reads safely (raw bytes would
 * need the shell to leave its stdin to another command at an exact byte, which not every sh
 * does), a broken frame fails the script instead of running bytes as commands, and every Unix
 * has a decoder: `base64 -d` (GNU, BusyBox, macOS 13+), `base64 -D` (older macOS),
 * `openssl base64 -d`, or BusyBox's `uudecode`. Which one, and how to checksum a file (a sha256
 * tool, else POSIX `cksum`), is probed once per session. Each file is created with umask 077,
 * filled, compared with the checksum computed here, and only then given its mode.
 */

// Each reads base64 on stdin and writes bytes to stdout. uudecode wants its begin/end lines and
// writes through cat: opening /dev/stdout would truncate the file being appended to.
constexpr const char *ShellDecoders[] = {
    "base64 -d",
    "base64 -D",
    "openssl base64 -d",
    "{ echo 'begin-base64 600 -'; cat; echo ====; } | uudecode -o /dev/stdout | cat",
};
// Each prints the checksum of stdin as one line.
constexpr const char *ShellSums[] = {
    "set -- $(sha256sum) && printf '%s\\n' \"$1\"",
    "set -- $(shasum -a 256) && printf '%s\\n' \"$1\"",
    "set -- $(openssl dgst -sha256 -r) && printf '%s\\n' \"$1\"",
    "set -- $(cksum) && printf '%s %s\\n' \"$1\" \"$2\"",
};
constexpr int CksumSum = 3;

/** The POSIX `cksum` of a byte stream ("CRC length"), for hosts without a sha256 tool. */
class PosixCksum
{
public:
    void add(QByteArrayView data)
    {
        for (const char c : data)
            step(quint8(c));
        m_length += quint64(data.size());
    }
    QString result() const
    {
        PosixCksum copy = *this;
        for (quint64 n = m_length; n != 0; n >>= 8)
            copy.step(quint8(n & 0xff));
        return u"%1 %2"_s.arg(~copy.m_crc).arg(m_length);
    }

private:
    void step(quint8 byte)
    {
        static const auto table = [] {
            std::array<quint32, 256> t{};
            for (quint32 i = 0; i < 256; ++i) {
                quint32 c = i << 24;
                for (int bit = 0; bit < 8; ++bit)
                    c = (c & 0x80000000u) ? (c << 1) ^ 0x04C11DB7u : c << 1;
                t[i] = c;
            }
            return t;
        }();
        m_crc = (m_crc << 8) ^ table[((m_crc >> 24) ^ byte) & 0xff];
    }

    quint32 m_crc = 0;
    quint64 m_length = 0;
};

/** A file's checksum as the host's chosen ShellSums line prints it. */
class FileSum
{
public:
    explicit FileSum(int sum)
        : m_cksum(sum == CksumSum)
    {}
    void add(QByteArrayView data)
    {
        if (m_cksum)
            m_crc.add(data);
        else
            m_sha.addData(data);
    }
    QString result() const
    {
        return m_cksum ? m_crc.result() : QString::fromLatin1(m_sha.result().toHex());
    }

private:
    bool m_cksum;
    PosixCksum m_crc;
    QCryptographicHash m_sha{QCryptographicHash::Sha256};
};

QByteArray base64Lines(QByteArrayView data)
{
    const QByteArray text = data.toByteArray().toBase64();
    QByteArray lines;
    lines.reserve(text.size() + text.size() / Base64LineChars + 1);
    for (qsizetype at = 0; at < text.size(); at += Base64LineChars) {
        lines.append(text.constData() + at, std::min(Base64LineChars, text.size() - at));
        lines += '\n';
    }
    return lines;
}

QByteArray quoted(const QString &value)
{
    return ShellCommand::quote(value).toUtf8();
}

/** The tools a host without SFTP has for the shell writer (indexes into the tables above). */
struct ShellTools
{
    int decoder = -1;
    int sum = -1;
};

/** Finds the host's base64 decoder and checksum tool in one round trip. */
QString shellToolsProbe()
{
    // Two lines, so a decoder that cannot join lines is not chosen.
    const QByteArray sample = "Portoser checks that this host decodes base64 over several lines";
    QString script =
        uR"SH(pt_dec_ok() { [ "$(printf '%s' "$2" | { eval "$1"; } 2>/dev/null)" = "$3" ]; }
pt_sum_ok() { [ "$(printf abc | { eval "$1"; } 2>/dev/null)" = "$2" ]; }
)SH"_s;
    QString test;
    for (int i = 0; i < int(std::size(ShellDecoders)); ++i)
        test += u"%1 pt_dec_ok %2 %3 %4; then echo decoder=%5\n"_s.arg(
            i == 0 ? u"if"_s : u"elif"_s,
            ShellCommand::quote(QString::fromLatin1(ShellDecoders[i])),
            ShellCommand::quote(QString::fromLatin1(base64Lines(sample))),
            ShellCommand::quote(QString::fromLatin1(sample)), QString::number(i));
    script += test + u"fi\n"_s;
    test.clear();
    const QByteArray abc = "abc";
    for (int i = 0; i < int(std::size(ShellSums)); ++i) {
        FileSum expected(i);
        expected.add(abc);
        test += u"%1 pt_sum_ok %2 %3; then echo sum=%4\n"_s.arg(
            i == 0 ? u"if"_s : u"elif"_s, ShellCommand::quote(QString::fromLatin1(ShellSums[i])),
            ShellCommand::quote(expected.result()), QString::number(i));
    }
    return script + test + u"fi\n"_s;
}

class ShellWriter : public FileWriter
{
public:
    ShellWriter(FramedShell &shell, ShellTools tools, UploadMeter &meter, QString where)
        : m_shell(shell)
        , m_tools(tools)
        , m_meter(meter)
        , m_where(std::move(where))
    {
        m_prelude = "pt_dec() { " + QByteArray(ShellDecoders[tools.decoder]) + "; }\n"
                    + "pt_sum() { " + QByteArray(ShellSums[tools.sum]) + "; }\n" + R"SH(
pt_dir() { mkdir "$1" 2>/dev/null || [ -d "$1" ] || { echo "cannot create directory $1" >&2; exit 1; }; chmod "$2" "$1" || exit 1; }
pt_new() { (umask 077 && : > "$1") || exit 1; }
pt_put() { pt_dec >> "$1" || { echo "cannot write $1" >&2; exit 1; }; }
pt_end() { [ "$(pt_sum < "$1")" = "$3" ] || { echo "$1 arrived damaged (its checksum differs)" >&2; exit 1; }; chmod "$2" "$1" || exit 1; }
)SH";
    }

    Result<void> makeDir(const UploadEntry &entry) override
    {
        m_batch +=
            "pt_dir " + quoted(path(entry.to)) + ' ' + QByteArray::number(entry.mode, 8) + '\n';
        return {};
    }

    Result<void> sendFile(const UploadEntry &entry) override
    {
        QFile file(entry.from);
        if (auto opened = openSource(file); !opened)
            return opened;
        const QByteArray to = quoted(path(entry.to));
        FileSum sum(m_tools.sum);
        m_batch += "pt_new " + to + '\n';
        while (!file.atEnd()) {
            const QByteArray piece = file.read(ShellPieceBytes);
            if (piece.isEmpty() && file.error() != QFileDevice::NoError)
                return Error{ErrorCode::Failed,
                             u"cannot read %1: %2"_s.arg(entry.from, file.errorString())};
            if (piece.isEmpty())
                break;
            sum.add(piece);
            m_batch += "pt_put " + to + " <<'_pt_end'\n" + base64Lines(piece) + "_pt_end\n";
            m_batchBytes += piece.size();
            if (m_batch.size() >= ShellBatchChars) {
                if (auto sent = flush(); !sent)
                    return sent;
            }
        }
        m_batch += "pt_end " + to + ' ' + QByteArray::number(entry.mode, 8) + ' '
                   + quoted(sum.result()) + '\n';
        return {};
    }

    Result<void> finish() override { return flush(); }

private:
    /** Relative paths are the login directory's, as for SFTP; "./" keeps a leading "-" a path. */
    static QString path(const QString &remote)
    {
        return remote.startsWith(u'/') ? remote : u"./"_s + remote;
    }

    Result<void> flush()
    {
        if (m_batch.isEmpty())
            return {};
        const auto ran = m_shell.run(QString::fromUtf8(m_prelude + m_batch), ShellBatchTimeout, {});
        m_batch.clear();
        if (!ran)
            return Error{ran.error().code, u"%1: %2"_s.arg(m_where, ran.error().message)};
        if (ran->exitCode != 0)
            return Error{ErrorCode::Failed, u"%1: cannot write files through the shell: %2"_s.arg(
                                                m_where, QString::fromUtf8(ran->err.trimmed()))};
        m_meter.moved(m_batchBytes);
        m_batchBytes = 0;
        return {};
    }

    FramedShell &m_shell;
    ShellTools m_tools;
    UploadMeter &m_meter;
    QString m_where;
    QByteArray m_prelude;
    QByteArray m_batch;
    qint64 m_batchBytes = 0;
};

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
    /** `usualTimeout`: the session's SSH_OPTIONS_TIMEOUT, put back after a write shortened it. */
    void setSession(ssh_session session, std::chrono::milliseconds usualTimeout = {})
    {
        m_session = session;
        m_usualTimeout = usualTimeout;
    }

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

    Result<void> write(const QByteArray &bytes, int timeoutMs) override
    {
        QElapsedTimer clock;
        clock.start();
        // libssh waits inside a write, for the channel window and then to flush, each time up to
        // the session timeout: shortened here to what is left of the deadline.
        const auto restore = qScopeGuard([this] { setSessionTimeout(m_session, m_usualTimeout); });
        qsizetype done = 0;
        while (done < bytes.size()) {
            if (!isAlive())
                return Error{ErrorCode::Unreachable, u"the shell channel is closed"_s};
            const qint64 left = timeoutMs - clock.elapsed();
            if (left <= 0) // the host stopped taking input: a dead link
                return Error{ErrorCode::Timeout,
                             u"the host did not take the command within %1 s (link down?)"_s.arg(
                                 double(timeoutMs) / 1000.0)};
            setSessionTimeout(m_session, std::min(std::chrono::milliseconds(left), m_usualTimeout));
            const int n = ssh_channel_write(
                m_channel, bytes.constData() + done,
                uint32_t(std::min<qsizetype>(bytes.size() - done, ShellWriteBytes)));
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
        // Closing queues a message and flushes it: on a dead link that flush would wait the
        // whole session timeout for nothing (what is unsent goes out with the next packet).
        setSessionTimeout(m_session, std::chrono::milliseconds(StopFlushMs));
        const auto restore = qScopeGuard([this] { setSessionTimeout(m_session, m_usualTimeout); });
        if (ssh_channel_is_open(m_channel))
            ssh_channel_close(m_channel);
        ssh_channel_free(m_channel);
        m_channel = nullptr;
    }

    ~SshShellPipe() override { stop(); }

private:
    ssh_session m_session = nullptr;
    ssh_channel m_channel = nullptr;
    std::chrono::milliseconds m_usualTimeout{10000};
};

} // namespace

class SshTransport::Private
{
public:
    explicit Private(SshTarget t)
        : target(std::move(t))
        , stall(stallTimeoutOf(target))
        , shell(&pipe)
    {}

    Result<void> establish();
    /** establish(), unless the work at hand was queued before the last attempt failed, or that
     *  attempt timed out moments ago: then that attempt's error (a host that does not answer
     *  costs its timeout once, not once per queued job or per step of an operation). */
    Result<void> establishUnlessJustFailed();
    Result<void> openSession(); // connected, nothing verified or logged in yet
    Result<void> verifyHostKey();
    Result<void> authenticate();
    void enableKeepalive();
    void drop();
    Result<void> sendFiles(const QList<UploadEntry> &entries, UploadMeter &meter);
    Result<void> findShellTools();
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
    std::chrono::milliseconds stall;
    std::chrono::steady_clock::time_point queuedAt{};     // of the work at hand; zero: unknown
    std::chrono::steady_clock::time_point jobStartedAt{}; // when the work at hand began to run
    std::optional<Error> lastFailure;                     // of the last establish(), if it failed
    std::chrono::steady_clock::time_point lastFailureAt{};
    bool lastFailureWasSlow = false; // it waited out the connect timeout
    ssh_session session = nullptr;
    // Opened by the first upload and kept with the session: each new SFTP channel costs a
    // session process and an sftp-server start on the host.
    sftp_session sftp = nullptr;
    // Files go through the shell once SFTP could not start on this session (not retried for
    // every upload; a new session tries again, the host may have gained it).
    bool filesThroughShell = false;
    ShellTools shellTools;
    SshShellPipe pipe;
    FramedShell shell;
    QElapsedTimer idle;
    int connects = 0;
};

Result<void> SshTransport::Private::establishUnlessJustFailed()
{
    using std::chrono::steady_clock;
    // A connect that waited out its whole timeout (a host that takes the connection and never
    // answers, a link that drops packets) is not tried again for a moment: the next steps of the
    // same operation (the deploy after its plan, the diagnosis after the deploy) get its answer
    // at once instead of a timeout each. A refused connection costs nothing to retry.
    constexpr auto SlowFailureRemembered = std::chrono::seconds(3);
    const auto now = steady_clock::now();
    // Only a failure that came while the work at hand waited in the queue is its answer: one in
    // the middle of its own run (a reconnect refused once) is not, the next try may work.
    const bool failedWhileQueued = queuedAt != steady_clock::time_point{}
                                   && queuedAt < lastFailureAt && lastFailureAt <= jobStartedAt;
    if (lastFailure
        && (failedWhileQueued
            || (lastFailureWasSlow && now - lastFailureAt < SlowFailureRemembered)))
        return *lastFailure;
    auto established = establish();
    if (established) {
        lastFailure.reset();
    } else {
        lastFailure = established.error();
        lastFailureAt = steady_clock::now();
        lastFailureWasSlow = lastFailureAt - now >= target.connectTimeout * 9 / 10;
    }
    return established;
}

Result<void> SshTransport::Private::establish()
{
    if (auto opened = openSession(); !opened)
        return opened;
    if (auto verified = verifyHostKey(); !verified) {
        drop();
        return verified;
    }
    if (auto authenticated = authenticate(); !authenticated) {
        drop();
        return authenticated;
    }
    enableKeepalive();
    filesThroughShell = false;
    shellTools = {};
    pipe.setSession(session, target.connectTimeout);
    if (auto started = pipe.start(); !started) {
        drop();
        return Error{ErrorCode::Unreachable, u"%1: %2"_s.arg(where(), started.error().message)};
    }
    ++connects;
    idle.start();
    return {};
}

Result<void> SshTransport::Private::openSession()
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
#ifdef TCP_USER_TIMEOUT
    // Keepalive does not run while sent data waits for its acknowledgement: then TCP retries for
    // ~15 minutes. This ends that too; a little later than the stall watch of an upload, which
    // then names the stall itself.
    unsigned int userTimeoutMs = unsigned(stall.count()) + 5000;
    ::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &userTimeoutMs, sizeof userTimeoutMs);
#endif
}

Result<void> SshTransport::Private::findShellTools()
{
    const auto probed = shell.run(shellToolsProbe(), std::chrono::milliseconds(30000), {});
    if (!probed)
        return Error{probed.error().code, u"%1: %2"_s.arg(where(), probed.error().message)};
    for (const QByteArray &line : probed->out.split('\n')) {
        if (line.startsWith("decoder="))
            shellTools.decoder = line.mid(8).toInt();
        else if (line.startsWith("sum="))
            shellTools.sum = line.mid(4).toInt();
    }
    if (shellTools.decoder < 0)
        return Error{ErrorCode::Failed,
                     u"%1 has no SFTP, and no base64 decoder (base64, openssl or uudecode) to "
                     "take files through the shell"_s.arg(where())};
    if (shellTools.sum < 0)
        return Error{ErrorCode::Failed,
                     u"%1 has no SFTP, and no checksum tool (sha256sum, shasum, openssl or "
                     "cksum) to verify files taken through the shell"_s.arg(where())};
    return {};
}

Result<void> SshTransport::Private::sendFiles(const QList<UploadEntry> &entries, UploadMeter &meter)
{
    if (!sftp && !filesThroughShell) {
        sftp = sftp_new(session);
        if (!sftp || sftp_init(sftp) != SSH_OK) {
            const QString why = lastError(session);
            if (sftp)
                sftp_free(sftp);
            sftp = nullptr;
            if (!ssh_is_connected(session))
                return Error{ErrorCode::Unreachable,
                             u"%1: cannot start SFTP: %2"_s.arg(where(), why)};
            // The session works, the host just has no SFTP ("subsystem request failed" from
            // Dropbear without sftp-server or an sshd without `Subsystem sftp`).
            filesThroughShell = true;
        }
        meter.moved();
    }
    if (!filesThroughShell) {
        SftpWriter writer(session, sftp, meter, where());
        return writeAll(writer, entries);
    }
    if (shellTools.decoder < 0 || shellTools.sum < 0) {
        if (auto found = findShellTools(); !found)
            return found;
        meter.moved();
    }
    ShellWriter writer(shell, shellTools, meter, where());
    return writeAll(writer, entries);
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

Result<HostKeyOffer> SshTransport::offeredHostKey(const SshTarget &target)
{
    Private p(target);
    if (auto opened = p.openSession(); !opened)
        return opened.error();
    HostKeyOffer offer;
    offer.fingerprint = serverFingerprint(p.session);
    offer.knownHostsFile = p.knownHostsFile();
    switch (ssh_session_is_known_server(p.session)) {
    case SSH_KNOWN_HOSTS_OK:
        offer.known = HostKeyOffer::Known::Yes;
        break;
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
        offer.known = HostKeyOffer::Known::Changed;
        break;
    default:
        offer.known = HostKeyOffer::Known::No;
    }
    p.drop();
    return offer;
}

Result<void> SshTransport::trustHostKey(const SshTarget &target, const QString &fingerprint)
{
    Private p(target);
    if (auto opened = p.openSession(); !opened)
        return opened.error();
    const QString offered = serverFingerprint(p.session);
    if (offered != fingerprint || !offered.contains(u"SHA256:"_s)) {
        p.drop();
        return Error{
            ErrorCode::PermissionDenied,
            u"%1 now offers %2, not the key %3 that was confirmed: nothing was trusted"_s.arg(
                p.where(), offered, fingerprint)};
    }
    const int state = ssh_session_is_known_server(p.session);
    if (state == SSH_KNOWN_HOSTS_CHANGED || state == SSH_KNOWN_HOSTS_OTHER) {
        p.drop();
        return Error{ErrorCode::PermissionDenied,
                     u"%1 is recorded in %2 with another key; remove that entry first "
                     "(ssh-keygen -R)"_s.arg(p.where(), p.knownHostsFile())};
    }
    if (state != SSH_KNOWN_HOSTS_OK) {
        QDir().mkpath(QFileInfo(p.knownHostsFile()).absolutePath());
        if (ssh_session_update_known_hosts(p.session) != SSH_OK) {
            const QString why = lastError(p.session);
            p.drop();
            return Error{ErrorCode::Failed, u"cannot record the host key of %1 in %2: %3"_s.arg(
                                                p.where(), p.knownHostsFile(), why)};
        }
    }
    p.drop();
    return {};
}

Result<void> SshTransport::connect()
{
    return d->looksAlive() ? Result<void>() : d->establishUnlessJustFailed();
}

void SshTransport::beginJob(std::chrono::steady_clock::time_point queuedAt)
{
    d->queuedAt = queuedAt;
    d->jobStartedAt = std::chrono::steady_clock::now();
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
        if (auto connected = d->establishUnlessJustFailed(); !connected)
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

Result<void> SshTransport::upload(const QString &localPath, const QString &remotePath,
                                  const UploadProgress &progress)
{
    const QFileInfo source(localPath);
    if (!source.exists())
        return Error{ErrorCode::NotFound, u"%1 does not exist"_s.arg(localPath)};
    const QList<UploadEntry> entries = uploadEntries(source, remotePath);
    qint64 total = 0;
    for (const UploadEntry &entry : entries)
        total += entry.size;
    if (auto connected = connect(); !connected)
        return connected;

    Result<void> outcome;
    bool stalled = false;
    {
        StallWatch watch(ssh_get_fd(d->session), d->stall);
        UploadMeter meter(watch, progress, total);
        outcome = d->sendFiles(entries, meter);
        stalled = watch.fired();
    }
    d->idle.restart();
    if (stalled) { // the socket is shut down: dropping the session waits for nothing
        d->drop();
        if (outcome) // it ended just as the watch gave up: the files are there
            return outcome;
        return Error{ErrorCode::Unreachable,
                     u"%1: upload stalled: no progress for %2 s (link down?)"_s.arg(
                         d->where(), secondsText(d->stall)),
                     outcome ? QString() : outcome.error().message};
    }
    if (!outcome) { // the next upload starts on a fresh channel, whatever broke this one
        if (d->sftp)
            sftp_free(d->sftp);
        d->sftp = nullptr;
        if (!ssh_is_connected(d->session))
            d->drop();
    }
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
