// SPDX-License-Identifier: Apache-2.0
#include "core/transport/FramedShell.h"

#include <QElapsedTimer>
#include <QRandomGenerator>

#include <climits>

namespace Portoser {

namespace {

QByteArray newMarker()
{
    const quint64 a = QRandomGenerator::system()->generate64();
    const quint64 b = QRandomGenerator::system()->generate64();
    return "__portoser_end_" + QByteArray::number(a, 16) + QByteArray::number(b, 16);
}

/** Collects one stream until its marker line, keeping at most `limit` bytes of real output. */
class StreamCollector
{
public:
    StreamCollector(QByteArray marker, qsizetype limit)
        : m_marker(std::move(marker))
        , m_limit(limit)
    {}

    /** Feeds bytes; returns what is real output (to forward to a sink). */
    QByteArray feed(const QByteArray &bytes)
    {
        if (m_markerSeen) { // only the rest of the marker line is left
            m_trailer += bytes;
            m_done = m_trailer.contains('\n');
            return {};
        }
        m_pending += bytes;
        const qsizetype at = m_pending.indexOf(m_marker);
        QByteArray output;
        if (at >= 0) {
            output = m_pending.left(at);
            m_trailer = m_pending.mid(at + m_marker.size());
            m_markerSeen = true;
            m_done = m_trailer.contains('\n');
            m_pending.clear();
        } else {
            // Hold back only a tail that could be the start of a marker split across reads.
            qsizetype keep = std::min(m_pending.size(), m_marker.size() - 1);
            while (keep > 0 && !m_pending.endsWith(QByteArrayView(m_marker).first(keep)))
                --keep;
            output = m_pending.left(m_pending.size() - keep);
            m_pending = m_pending.right(keep);
        }
        append(output);
        return output;
    }

    bool isDone() const { return m_done; }
    /** What followed the marker on its line ("<space><status>\n" on stdout). */
    QByteArray trailer() const { return m_trailer; }
    QByteArray takeData() { return std::move(m_data); }
    bool truncated() const { return m_truncated; }

private:
    void append(const QByteArray &bytes)
    {
        const qsizetype room = m_limit - m_data.size();
        if (bytes.size() > room)
            m_truncated = true;
        m_data += bytes.left(std::max<qsizetype>(room, 0));
    }

    QByteArray m_marker;
    qsizetype m_limit;
    QByteArray m_pending;
    QByteArray m_data;
    QByteArray m_trailer;
    bool m_markerSeen = false;
    bool m_done = false;
    bool m_truncated = false;
};

} // namespace

FramedShell::FramedShell(ShellPipe *pipe, qsizetype outputLimit)
    : m_pipe(pipe)
    , m_outputLimit(outputLimit)
{}

Result<CommandResult> FramedShell::run(const QString &script, std::chrono::milliseconds timeout,
                                       const OutputSink &sink)
{
    if (script.contains(QChar(0)))
        return Error{ErrorCode::InvalidInput, QStringLiteral("a script cannot contain a NUL byte")};
    if (!m_pipe->isAlive()) {
        if (auto started = m_pipe->start(); !started)
            return started.error();
    }
    const QByteArray marker = newMarker();
    // The script runs in a subshell so that `exit`, `cd` or `set -e` in it cannot end or change
    // the resident shell. The marker is random, so it is found wherever it lands, even right after
    // output that does not end with a newline; nothing of the real output is held back for it.
    QByteArray framed = "(\n" + script.toUtf8() + "\n) </dev/null\n";
    framed += "__portoser_rc=$?; printf '" + marker + " %s\\n' \"$__portoser_rc\"; printf '"
              + marker + "\\n' >&2\n";
    QElapsedTimer clock;
    clock.start();
    // A script bigger than the channel's window waits for the host to read it: the deadline
    // covers that wait too, so a dead link cannot hold a run past it.
    if (auto written = m_pipe->write(framed, int(std::min<qint64>(timeout.count(), INT_MAX)));
        !written) {
        m_pipe->stop();
        return written.error();
    }
    StreamCollector out(marker, m_outputLimit);
    StreamCollector err(marker, m_outputLimit);
    while (!out.isDone() || !err.isDone()) {
        const qint64 left = timeout.count() - clock.elapsed();
        if (left <= 0) {
            m_pipe->stop(); // the shell is busy with a runaway script: start a fresh one next time
            return Error{ErrorCode::Timeout,
                         QStringLiteral("the command did not finish within %1 s")
                             .arg(double(timeout.count()) / 1000.0)};
        }
        const ShellPipe::Chunk chunk = m_pipe->read(int(std::min<qint64>(left, 1000)));
        if (chunk.eof) {
            m_pipe->stop();
            return Error{ErrorCode::Unreachable,
                         QStringLiteral("the connection was lost while a command ran")};
        }
        if (chunk.data.isEmpty())
            continue;
        StreamCollector &stream = chunk.isStderr ? err : out;
        const QByteArray forwarded = stream.feed(chunk.data);
        if (sink && !forwarded.isEmpty())
            sink(forwarded, chunk.isStderr);
    }
    CommandResult result;
    bool ok = false;
    result.exitCode = out.trailer().trimmed().toInt(&ok);
    if (!ok)
        result.exitCode = -1;
    result.out = out.takeData();
    result.err = err.takeData();
    result.truncated = out.truncated() || err.truncated();
    result.elapsedMs = clock.elapsed();
    return result;
}

} // namespace Portoser
