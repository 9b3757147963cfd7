// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/deploy/ServiceState.h"
#include "core/registry/Registry.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace Portoser {

/** The problems the analyzer recognises; each names the playbooks that fix it. */
namespace Fingerprint {
inline const QString ProcessDead = QStringLiteral("process_dead");
inline const QString CrashLoop = QStringLiteral("crash_loop");
inline const QString PortHeld = QStringLiteral("port_held");
inline const QString StalePid = QStringLiteral("stale_pid");
inline const QString DiskFull = QStringLiteral("disk_full");
inline const QString DependencyUnhealthy = QStringLiteral("dependency_unhealthy");
inline const QString HostUnreachable = QStringLiteral("host_unreachable");
inline const QString SshDenied = QStringLiteral("ssh_denied");
inline const QString DockerDown = QStringLiteral("docker_down");
inline const QString HealthFailing = QStringLiteral("health_failing");
/** All of them, in the order a service's problems are worked on (causes before symptoms). */
QStringList all();
bool isKnown(const QString &fingerprint);
} // namespace Fingerprint

/** One recognised problem, with how sure the analyzer is and what made it think so. */
struct Problem
{
    QString fingerprint;
    int confidence = 0; // 0-100
    QString summary;    // one line for people
    QStringList evidence;
    qint64 holderPid = 0; // port_held: the foreign process
};

struct ServiceDiagnosis
{
    QString service;
    QString host;
    ServiceState observed;
    int score = 100; // 0-100; 100 is healthy (or deliberately stopped)
    QList<Problem> problems;

    bool healthy() const { return problems.isEmpty(); }
    const Problem *problem(const QString &fingerprint) const;
};

struct HostDiagnosis
{
    HostState observed;
    int score = 100;
    QList<Problem> problems;
};

/** What one observation pass found, for every host and service observed. */
struct Diagnosis
{
    QMap<QString, HostDiagnosis> hosts;
    QMap<QString, ServiceDiagnosis> services;
};

/**
 * Turns observations into fingerprints with confidence and evidence, and health scores. Pure
 * logic over what the observer gathered: no host is contacted here.
 */
class Analyzer
{
public:
    /** Crash loop: this many exits within the service's heal window. */
    static constexpr int CrashLoopExits = 3;
    /** Disk or inodes at least this full is a problem. */
    static constexpr int DiskFullPercent = 90;

    static Diagnosis analyze(const Registry &registry, const QList<HostState> &observed);

private:
    static HostDiagnosis analyzeHost(const HostState &host);
    static ServiceDiagnosis analyzeService(const Service &service, const ServiceState &state,
                                           const HostDiagnosis &host);
    static void addDependencyProblems(const Registry &registry, Diagnosis &diagnosis);
};

QJsonObject toJson(const Problem &problem);
QJsonObject toJson(const ServiceDiagnosis &diagnosis);
QJsonObject toJson(const HostDiagnosis &diagnosis);

} // namespace Portoser
