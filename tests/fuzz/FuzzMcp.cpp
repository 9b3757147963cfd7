// SPDX-License-Identifier: Apache-2.0
// MCP's JSON-RPC methods as a viewer calls them over /mcp or stdio: any message, any params,
// on a coordinator whose registry has no hosts (a tool never waits on a network).
#include "core/runtime/Coordinator.h"
#include "server/McpServer.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>

#include <memory>

namespace {

struct Fixture
{
    Fixture()
    {
        static int argc = 1;
        static char name[] = "fuzz_mcp";
        static char *argv[] = {name, nullptr};
        app = std::make_unique<QCoreApplication>(argc, argv);
        QFile registry(dir.filePath(QStringLiteral("registry.yml")));
        registry.open(QIODevice::WriteOnly);
        registry.write("hosts: {}\nservices: {}\n");
        registry.close();
        Portoser::OrchestratorSettings settings;
        settings.databasePath = dir.filePath(QStringLiteral("portoser.db"));
        settings.playbookDirectory = dir.filePath(QStringLiteral("playbooks"));
        coordinator = std::make_unique<Portoser::Coordinator>(registry.fileName(), settings);
        (void)coordinator->reload();
        server = std::make_unique<Portoser::McpServer>(*coordinator);
    }

    std::unique_ptr<QCoreApplication> app;
    QTemporaryDir dir;
    std::unique_ptr<Portoser::Coordinator> coordinator;
    std::unique_ptr<Portoser::McpServer> server;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static Fixture fixture;
    const QJsonDocument document =
        QJsonDocument::fromJson(QByteArray(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (!document.isObject())
        return 0;
    static Portoser::McpSession session;
    session.principal = QStringLiteral("fuzz");
    const Portoser::Principal caller{QStringLiteral("fuzz"), Portoser::Role::Viewer,
                                     QStringLiteral("fuzz"), QStringLiteral("local")};
    auto replied = std::make_shared<bool>(false);
    fixture.server->handle(
        document.object(), session, caller, [replied](const QJsonObject &) { *replied = true; },
        [](const QJsonObject &) {});
    // A request's reply may come from a worker; notifications get none.
    const QDeadlineTimer deadline(2000);
    while (!*replied && !deadline.hasExpired() && document.object().contains(QStringLiteral("id")))
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    return 0;
}
