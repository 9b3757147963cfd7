// SPDX-License-Identifier: Apache-2.0
#include "core/transport/LocalTransport.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <csignal>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace Portoser {

/**
 * `sh` as a child process with three pipes, read with poll(2) so stdout and stderr both wake the
 * reader at once. Blocking is fine: transports live on worker threads.
 */
class LocalShellPipe : public ShellPipe
{
public:
    ~LocalShellPipe() override { stop(); }

    Result<void> start() override
    {
        stop();
        int in[2], out[2], err[2];
        if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0
            || ::pipe2(err, O_CLOEXEC) != 0)
            return Error{ErrorCode::Failed,
                         QStringLiteral("cannot create pipes: %1").arg(qt_error_string(errno))};
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, in[0], 0);
        posix_spawn_file_actions_adddup2(&actions, out[1], 1);
        posix_spawn_file_actions_adddup2(&actions, err[1], 2);
        char sh[] = "/bin/sh";
        char *argv[] = {sh, nullptr};
        const int rc = ::posix_spawn(&m_pid, sh, &actions, nullptr, argv, environ);
        posix_spawn_file_actions_destroy(&actions);
        ::close(in[0]);
        ::close(out[1]);
        ::close(err[1]);
        m_in = in[1];
        m_out = out[0];
        m_err = err[0];
        if (rc != 0) {
            stop();
            return Error{ErrorCode::Failed,
                         QStringLiteral("cannot start /bin/sh: %1").arg(qt_error_string(rc))};
        }
        return {};
    }

    bool isAlive() const override { return m_pid > 0 && m_in >= 0; }

    // No deadline: this machine's shell reads its stdin whenever it is not running a script, and
    // a script runs only after all of it was written.
    Result<void> write(const QByteArray &bytes, int /*timeoutMs*/) override
    {
        qsizetype done = 0;
        while (isAlive() && done < bytes.size()) {
            const ssize_t n = ::write(m_in, bytes.constData() + done, size_t(bytes.size() - done));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return Error{ErrorCode::Failed, QStringLiteral("the local shell is gone")};
            done += n;
        }
        return isAlive() ? Result<void>()
                         : Error{ErrorCode::Failed, QStringLiteral("the local shell is gone")};
    }

    Chunk read(int timeoutMs) override
    {
        if (!isAlive())
            return {{}, false, true};
        pollfd fds[2] = {{m_out, POLLIN, 0}, {m_err, POLLIN, 0}};
        const int ready = ::poll(fds, 2, timeoutMs);
        if (ready <= 0)
            return {};
        for (int i = 0; i < 2; ++i) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buffer[65536];
            const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
            if (n > 0)
                return {QByteArray(buffer, n), i == 1, false};
            return {{}, false, true}; // end of file: the shell exited
        }
        return {};
    }

    void stop() override
    {
        for (int *fd : {&m_in, &m_out, &m_err}) {
            if (*fd >= 0)
                ::close(*fd);
            *fd = -1;
        }
        if (m_pid > 0) {
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, nullptr, 0);
        }
        m_pid = -1;
    }

private:
    pid_t m_pid = -1;
    int m_in = -1;
    int m_out = -1;
    int m_err = -1;
};

LocalTransport::LocalTransport()
    : m_pipe(std::make_unique<LocalShellPipe>())
    , m_shell(m_pipe.get())
{
    ::signal(SIGPIPE, SIG_IGN); // a shell that died must give EPIPE, not end the coordinator
}

LocalTransport::~LocalTransport() = default;

Result<void> LocalTransport::connect()
{
    return m_pipe->isAlive() ? Result<void>() : m_pipe->start();
}

Result<CommandResult> LocalTransport::run(const QString &script, std::chrono::milliseconds timeout,
                                          const OutputSink &sink)
{
    return m_shell.run(script, timeout, sink);
}

namespace {

Result<void> copyFile(const QString &from, const QString &to)
{
    QFile::remove(to);
    if (!QFile::copy(from, to))
        return Error{ErrorCode::Failed, QStringLiteral("cannot copy %1 to %2").arg(from, to)};
    QFile::setPermissions(to, QFileInfo(from).permissions());
    return {};
}

} // namespace

Result<void> LocalTransport::upload(const QString &localPath, const QString &remotePath,
                                    const UploadProgress &progress)
{
    const QFileInfo source(localPath);
    if (!source.exists())
        return Error{ErrorCode::NotFound, QStringLiteral("%1 does not exist").arg(localPath)};
    if (source.isFile()) {
        QDir().mkpath(QFileInfo(remotePath).absolutePath());
        auto copied = copyFile(localPath, remotePath);
        if (copied && progress)
            progress(source.size(), source.size());
        return copied;
    }
    const QDir from(localPath);
    if (!QDir().mkpath(remotePath))
        return Error{ErrorCode::Failed, QStringLiteral("cannot create %1").arg(remotePath)};
    QList<QFileInfo> entries;
    qint64 total = 0;
    QDirIterator it(localPath,
                    QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        entries.append(QFileInfo(it.next()));
        if (entries.last().isFile())
            total += entries.last().size();
    }
    qint64 sent = 0;
    for (const QFileInfo &entry : std::as_const(entries)) {
        const QString target = QDir(remotePath).filePath(from.relativeFilePath(entry.filePath()));
        if (entry.isDir() && !entry.isSymLink()) {
            QDir().mkpath(target);
            QFile::setPermissions(target, entry.permissions());
        } else if (entry.isFile()) {
            if (auto copied = copyFile(entry.filePath(), target); !copied)
                return copied;
            sent += entry.size();
            if (progress)
                progress(sent, total);
        }
    }
    QFile::setPermissions(remotePath, source.permissions());
    return {};
}

void LocalTransport::disconnect()
{
    m_pipe->stop();
}

} // namespace Portoser
