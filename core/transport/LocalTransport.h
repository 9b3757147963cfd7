// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/transport/FramedShell.h"
#include "core/transport/Transport.h"

#include <memory>

namespace Portoser {

class LocalShellPipe;

/** The Transport for this machine (loopback or `transport: local` hosts): a local resident `sh`. */
class LocalTransport : public Transport
{
public:
    LocalTransport();
    ~LocalTransport() override;
    Q_DISABLE_COPY_MOVE(LocalTransport)

    Result<void> connect() override;
    Result<CommandResult> run(const QString &script,
                              std::chrono::milliseconds timeout = DefaultTimeout,
                              const OutputSink &sink = {}) override;
    Result<void> upload(const QString &localPath, const QString &remotePath,
                        const UploadProgress &progress = {}) override;
    void disconnect() override;
    QString describe() const override { return QStringLiteral("local"); }

private:
    std::unique_ptr<LocalShellPipe> m_pipe;
    FramedShell m_shell;
};

} // namespace Portoser
