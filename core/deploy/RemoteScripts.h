// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/registry/Host.h"
#include "core/registry/Service.h"

#include <QMap>
#include <QString>

namespace Portoser {

/** What a health gate checks on the host, resolved from the service's settings. */
struct HealthProbe
{
    enum class Kind {
        Running,
        Http,
        Tcp,
        Command
    };
    Kind kind = Kind::Running;
    QString target; // URL, "host port", or command
    int timeoutSeconds = 5;
    int retries = 15;
    int intervalSeconds = 2;
    int startPeriodSeconds = 0;
    int minUptimeSeconds = 0; // the process must be alive this long after its start

    static HealthProbe forService(const Service &service);
    /** The longest the gate can take, for the transport's deadline. */
    int budgetSeconds() const;
};

/** How a service runs on its host: a supervised process group, or a docker compose project. */
struct Runtime
{
    enum class Kind {
        Process,
        Docker,
        Native,
        Local
    }; // Local: a process run from the release's Python venv
    Kind kind = Kind::Process;
    QString start, stop,
        status;          // native: the service.yml commands (start must return, like systemctl)
    QString composeFile; // docker: as written in the registry
    bool composeInRelease =
        false;       // relative to the release (the service ships `source`), else to host.path
    QString project; // docker compose -p
    QString composeService; // the compose service to run, or empty for all of the project
    QString composeCli;    // v2 | v1 as the host's transport found it, or empty: the host finds out
    QString pythonManager; // local: uv | venv | pip | poetry | system (empty: uv when it is there,
                           // else venv)

    static Runtime forService(const Service &service);
};

/** Inputs of the activation script for one service on one host. */
struct Activation
{
    QString releaseId;
    QString uploadDir;         // a temp dir to rename into releases/<id>, or empty when present
    bool emptyRelease = false; // the service ships no source: the release is an empty dir
    QString envFileContent;    // rendered KEY='value' lines (may hold secrets: sent on stdin only)
    bool keepEnv = false;      // keep the host's env file (a rerun); envFileContent if it has none
    bool envNeedsSecrets = false; // with keepEnv: no env file on the host is a failure
    QString command;
    QString workingDir; // relative to the release, or absolute; empty: the release itself
    int stopTimeoutSeconds = 10;
    HealthProbe health;
    int keepReleases = 5;
    QString lockHolder; // "coord=<host> pid=<pid>"
    Runtime runtime;
};

/**
 * POSIX sh scripts run on workers (Linux and macOS alike: no bash-isms, no GNU-only flags).
 * Every value from the registry enters a script through ShellCommand::quote. Results come back
 * as `key=value` lines on stdout. State lives in <host.path>/.portoser/<service>/ (docs/deploy.md).
 */
namespace RemoteScripts {

/** A host lock older than this is taken for one whose holder died. */
constexpr int StaleHostLockSeconds = 15 * 60;

/** A path for the remote shell: "~/x" becomes "$HOME"/'x', anything else is quoted. */
QString pathExpression(const QString &path);
/** The service's state directory on the host, as a shell expression. */
QString serviceDir(const Host &host, const QString &service);

/**
 * Takes the host-side lock, cleans temp dirs left by interrupted deploys, and reports os and arch
 * (when `detectPlatform`), how the host runs docker compose (`compose_cli=v2|v1|none`, when
 * `detectCompose`), current/previous release, whether `releaseId` is present, and process state.
 * When the release is missing and `uploadIfMissing`, it also prints `upload_parent=<absolute
 * service dir>`, where an upload makes its temp dir, so the upload needs no round trip of its own.
 */
QString prepare(const Host &host, const QString &service, const QString &releaseId,
                const QString &lockHolder, int staleLockSeconds, bool uploadIfMissing,
                bool detectPlatform, bool detectCompose = false);
/**
 * Installs the release, writes env, stops the old instance, switches `current`, starts the new
 * one, runs the health gate, reverts to the previous release on failure, prunes, unlocks.
 * It ignores SIGHUP/SIGPIPE so a lost coordinator never leaves a half-switched service.
 */
QString activate(const Host &host, const QString &service, const Activation &activation);
/** Prints a service.yml kept on the host (relative to its base path), at most 1 MiB. */
QString readServiceFile(const Host &host, const QString &declaredPath);
/** Releases the host-side lock `lockHolder` took (after a failure before activation). */
QString unlock(const Host &host, const QString &service, const QString &lockHolder);
/** The shell functions the host scripts that need them start with (core/scripts/prelude.sh: the
 *  host layout, the lock, the gate); for tests that run them on their own. */
QString prelude();
struct StatusQuery
{
    QString service;
    HealthProbe probe;
    Runtime runtime;
    int port = 0; // whose holder to name when the service is down or failing (0: none)
};
/** What an observation gathers besides each service's state. */
struct ObserveScope
{
    bool hostFacts = false;      // os, arch, disk, inodes, memory, load, TCP listeners
    bool allPortHolders = false; // who holds every service's port, not only failing services'
                                 // (`ss -p` reads every process's descriptors: not every pass)
    bool docker = false;         // whether the docker daemon answers
    int exitWindowSeconds = 600; // exits counted for crash-loop detection
    QString curlBatch;           // Transport::curlBatch: "1", "0", or empty (the host finds out)
};
/**
 * For each service on the host, in one round trip: state, release, pid, uptime, one health check,
 * and for a dead one its exits and last log lines; with `scope.hostFacts` the host's own state.
 */
QString observe(const Host &host, const QList<StatusQuery> &services,
                const ObserveScope &scope = {});
/** Stops the service (process group, TERM then KILL). */
QString stop(const Host &host, const QString &service, const Runtime &runtime,
             int stopTimeoutSeconds);
/** The service's env file as a shell expression: absolute and ~ paths as they are, a relative
 *  one under its working_dir (itself relative to the current release) or the current release. */
QString envFilePath(const Host &host, const QString &service, const QString &envFile,
                    const QString &workingDir);
/** A file for `installFiles`: its name in the directory, content, and whether only the owner
 *  may read it (0600; else 0644). */
struct RemoteFile
{
    QString name;
    QByteArray content;
    bool secret = false;
};
/**
 * Writes `files` into `<service dir>/<folder>` on the host, each atomically (temp + rename), the
 * content inside the script (the shell's stdin, never a command line); prints `installed=PATH`
 * per file.
 */
/**
 * Adds a CA certificate to the host's system trust store, so every program there trusts what it
 * signed: `update-ca-certificates` (Debian, Ubuntu, Alpine) or `update-ca-trust` (Fedora, RHEL)
 * with the file under their anchors directory as `<fileName>`, or the System keychain on macOS
 * (`security add-trusted-cert`). As root, or through passwordless sudo. Prints `trusted=<where>`;
 * exit 77 when it lacks the rights, 78 when the host has none of these tools.
 */
QString trustCa(const QByteArray &pem, const QString &fileName);
QString installFiles(const Host &host, const QString &service, const QString &folder,
                     const QList<RemoteFile> &files);
/** Prints the last `lines` lines of the service log, and with `follow` what is appended after. */
QString logTail(const Host &host, const QString &service, int lines, bool follow = false);

/** Parses `key=value` lines (later keys win; other lines are ignored). */
QMap<QString, QString> parseKeyValues(const QByteArray &output);
/** Splits output into sections that each start with a `key=<name>` line, parsed per section. */
QMap<QString, QMap<QString, QString>> parseSections(const QByteArray &output, const QString &key);

} // namespace RemoteScripts

} // namespace Portoser
