<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>Duration</name>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 Min.</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 Std. %2 Min.</translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation>%1 Std.</translation>
    </message>
    <message>
        <source>%1 d %2 h</source>
        <translation>%1 T. %2 Std.</translation>
    </message>
    <message>
        <source>%1 d</source>
        <translation>%1 T.</translation>
    </message>
</context>
<context>
    <name>Portoser::AppSettings</name>
    <message>
        <source>The store URL holds a password. Put it in ~/.pgpass (PostgreSQL reads it there): the settings file is not a secret store.</source>
        <translation>Die Datenbank-URL enthält ein Passwort. Legen Sie es in ~/.pgpass ab (PostgreSQL liest es dort): Die Einstellungsdatei ist kein Speicher für Geheimnisse.</translation>
    </message>
    <message>
        <source>Unknown secrets backend &quot;%1&quot;.</source>
        <translation>Unbekanntes Backend für Geheimnisse „%1“.</translation>
    </message>
    <message>
        <source>The Vault backend needs Vault&apos;s address.</source>
        <translation>Das Vault-Backend benötigt die Vault-Adresse.</translation>
    </message>
    <message>
        <source>The heal interval cannot be negative.</source>
        <translation>Das Watchdog-Intervall darf nicht negativ sein.</translation>
    </message>
</context>
<context>
    <name>Portoser::ClusterLink</name>
    <message>
        <source>Needs the %1 role on the coordinator</source>
        <translation>Braucht die Rolle %1 auf dem Koordinator</translation>
    </message>
</context>
<context>
    <name>Portoser::ConnectDialog</name>
    <message>
        <source>Connect to a coordinator</source>
        <translation>Mit einem Koordinator verbinden</translation>
    </message>
    <message>
        <source>A coordinator is a &lt;tt&gt;portoser --serve&lt;/tt&gt; that keeps the cluster&apos;s sessions, history and healer. Connected, this window works through it and never heals by itself.</source>
        <translation>Ein Koordinator ist ein &lt;tt&gt;portoser --serve&lt;/tt&gt;, der die Sitzungen, den Verlauf und die Selbstheilung des Clusters hält. Verbunden arbeitet dieses Fenster über ihn und heilt nie selbst.</translation>
    </message>
    <message>
        <source>http(s)://host:port of the coordinator (plain http only on this machine)</source>
        <translation>http(s)://Host:Port des Koordinators (einfaches http nur auf diesem Rechner)</translation>
    </message>
    <message>
        <source>$PORTOSER_TOKEN is set and used when this is empty</source>
        <translation>$PORTOSER_TOKEN ist gesetzt und wird verwendet, wenn dies leer ist</translation>
    </message>
    <message>
        <source>An API token (portoser --cli token create …)</source>
        <translation>Ein API-Token (portoser --cli token create …)</translation>
    </message>
    <message>
        <source>Keep the token in the system keychain</source>
        <translation>Token im Schlüsselbund des Systems aufbewahren</translation>
    </message>
    <message>
        <source>&amp;Coordinator:</source>
        <translation>&amp;Koordinator:</translation>
    </message>
    <message>
        <source>API &amp;token:</source>
        <translation>API-&amp;Token:</translation>
    </message>
    <message>
        <source>C&amp;onnect</source>
        <translation>&amp;Verbinden</translation>
    </message>
    <message>
        <source>Not a URL: give http(s)://host[:port]</source>
        <translation>Keine URL: http(s)://Host[:Port] angeben</translation>
    </message>
    <message>
        <source>Only http:// and https:// coordinators can be reached</source>
        <translation>Nur http://- und https://-Koordinatoren sind erreichbar</translation>
    </message>
    <message>
        <source>The URL must not carry a user, a query or a fragment: the token goes in its own field</source>
        <translation>Die URL darf weder Benutzer noch Abfrage noch Fragment enthalten: das Token gehört in sein eigenes Feld</translation>
    </message>
    <message>
        <source>Sign in with single sign-on (OIDC) in the browser</source>
        <translation>Mit Single Sign-on (OIDC) im Browser anmelden</translation>
    </message>
    <message>
        <source>For a coordinator started with --oidc-issuer: you sign in at its identity provider, and no token is typed or kept in a file</source>
        <translation>Für einen mit --oidc-issuer gestarteten Koordinator: Sie melden sich bei seinem Identitätsanbieter an, und kein Token wird eingegeben oder in einer Datei abgelegt</translation>
    </message>
</context>
<context>
    <name>Portoser::CoordinatorLink</name>
    <message>
        <source>No answer from the coordinator at %1: %2</source>
        <translation>Keine Antwort vom Koordinator unter %1: %2</translation>
    </message>
    <message>
        <source>the coordinator closed the event stream</source>
        <translation>der Koordinator hat den Ereignisstrom geschlossen</translation>
    </message>
    <message>
        <source>Connected to %1 as %2 (%3)</source>
        <translation>Verbunden mit %1 als %2 (%3)</translation>
    </message>
    <message>
        <source>Lost the coordinator at %1 (%2); reconnecting…</source>
        <translation>Verbindung zum Koordinator unter %1 verloren (%2); verbinde neu…</translation>
    </message>
    <message>
        <source>the rollback returned no record</source>
        <translation>das Zurücksetzen lieferte keinen Eintrag</translation>
    </message>
    <message>
        <source>The coordinator at %1 refused this window&apos;s credential (%2): connect again to sign in.</source>
        <translation>Der Koordinator unter %1 hat die Anmeldedaten dieses Fensters abgelehnt (%2): verbinden Sie sich erneut, um sich anzumelden.</translation>
    </message>
    <message>
        <source>the coordinator no longer knows job %1 (it restarted?): its history says how it ended</source>
        <translation>der Koordinator kennt Auftrag %1 nicht mehr (neu gestartet?): sein Verlauf sagt, wie er endete</translation>
    </message>
    <message>
        <source>no answer about job %1 for a minute: %2</source>
        <translation>seit einer Minute keine Antwort zu Auftrag %1: %2</translation>
    </message>
</context>
<context>
    <name>Portoser::DeployPanel</name>
    <message>
        <source>Staged changes</source>
        <translation>Vorgemerkte Änderungen</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Rückgängig</translation>
    </message>
    <message>
        <source>Drop the selected staged change</source>
        <translation>Die ausgewählte vorgemerkte Änderung verwerfen</translation>
    </message>
    <message>
        <source>Undo &amp;all</source>
        <translation>&amp;Alle rückgängig</translation>
    </message>
    <message>
        <source>&amp;Plan</source>
        <translation>&amp;Planen</translation>
    </message>
    <message>
        <source>Show what deploying the staged changes would do, with config diffs</source>
        <translation>Zeigen, was die Bereitstellung der vorgemerkten Änderungen bewirken würde, mit Konfigurationsunterschieden</translation>
    </message>
    <message>
        <source>&amp;Deploy</source>
        <translation>&amp;Bereitstellen</translation>
    </message>
    <message>
        <source>Deploy the staged changes (Ctrl+Return)</source>
        <translation>Die vorgemerkten Änderungen bereitstellen (Strg+Return)</translation>
    </message>
    <message>
        <source>Service</source>
        <translation>Dienst</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>Host</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>Deploy plan</source>
        <translation>Bereitstellungsplan</translation>
    </message>
    <message>
        <source>Deploy progress</source>
        <translation>Bereitstellungsfortschritt</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>Eintrag</translation>
    </message>
    <message>
        <source>Deploy results</source>
        <translation>Bereitstellungsergebnisse</translation>
    </message>
    <message>
        <source>Plan</source>
        <translation>Plan</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Fortschritt</translation>
    </message>
    <message>
        <source>Results</source>
        <translation>Ergebnisse</translation>
    </message>
    <message>
        <source>Planning…</source>
        <translation>Planung läuft…</translation>
    </message>
    <message>
        <source>Planning failed: %1</source>
        <translation>Planung fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Planned: review, then Deploy.</source>
        <translation>Geplant: Bitte prüfen, dann bereitstellen.</translation>
    </message>
    <message numerus="yes">
        <source>Deploying %n change(s)…</source>
        <translation>
            <numerusform>%n Änderung wird bereitgestellt…</numerusform>
            <numerusform>%n Änderungen werden bereitgestellt…</numerusform>
        </translation>
    </message>
    <message>
        <source>refused</source>
        <translation>abgelehnt</translation>
    </message>
    <message>
        <source>Deploy finished.</source>
        <translation>Bereitstellung abgeschlossen.</translation>
    </message>
    <message>
        <source>Deploy finished with errors.</source>
        <translation>Bereitstellung mit Fehlern abgeschlossen.</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>Abbre&amp;chen</translation>
    </message>
    <message>
        <source>Start no further service; those already started finish or revert</source>
        <translation>Keine weiteren Dienste starten; bereits gestartete laufen zu Ende oder werden zurückgesetzt</translation>
    </message>
    <message>
        <source>Double-click a result to open its history record</source>
        <translation>Doppelklicken Sie auf ein Ergebnis, um seinen Eintrag im Verlauf zu öffnen</translation>
    </message>
    <message>
        <source>Drag a service onto another host to stage a move, or mark it for redeploy from its menu.</source>
        <translation>Ziehen Sie einen Dienst auf einen anderen Host, um eine Verschiebung vorzumerken, oder merken Sie ihn über sein Menü zur erneuten Bereitstellung vor.</translation>
    </message>
    <message>
        <source>Cancelling: services already started finish or revert; the rest do not start.</source>
        <translation>Wird abgebrochen: Bereits gestartete Dienste laufen zu Ende oder werden zurückgesetzt; die übrigen werden nicht gestartet.</translation>
    </message>
    <message>
        <source>Host / service</source>
        <translation>Host / Dienst</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>Ausgabe</translation>
    </message>
    <message>
        <source>Each host, its services and their steps as they run</source>
        <translation>Jeder Host, seine Dienste und ihre Schritte, während sie laufen</translation>
    </message>
    <message>
        <source>%1 of %2 ended</source>
        <translation>%1 von %2 beendet</translation>
    </message>
    <message>
        <source>%1 %2…</source>
        <translation>%1 %2 …</translation>
    </message>
    <message numerus="yes">
        <source>Deploy %n out of date</source>
        <translation>
            <numerusform>%n veralteten Dienst deployen</numerusform>
            <numerusform>%n veraltete Dienste deployen</numerusform>
        </translation>
    </message>
    <message>
        <source>What a plain deploy would deploy now (registry edits, services never deployed): %1</source>
        <translation>Was ein einfaches Deploy jetzt deployen würde (Änderungen an der Registry, nie deployte Dienste): %1</translation>
    </message>
    <message numerus="yes">
        <source>Deploying %n service(s) out of date…</source>
        <translation>
            <numerusform>%n veralteter Dienst wird deployt …</numerusform>
            <numerusform>%n veraltete Dienste werden deployt …</numerusform>
        </translation>
    </message>
    <message>
        <source>Deploy</source>
        <translation>Deploy</translation>
    </message>
    <message>
        <source>%1 failed.</source>
        <translation>%1 fehlgeschlagen.</translation>
    </message>
    <message>
        <source>%1: done.</source>
        <translation>%1: erledigt.</translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
</context>
<context>
    <name>Portoser::HealthPage</name>
    <message>
        <source>&amp;Diagnose</source>
        <translation>&amp;Diagnostizieren</translation>
    </message>
    <message>
        <source>Observe every service and name its problems (as `diagnose`)</source>
        <translation>Jeden Dienst beobachten und seine Probleme benennen (wie `diagnose`)</translation>
    </message>
    <message>
        <source>Service</source>
        <translation>Dienst</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>Host</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Health</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>Bewertung</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Problem</translation>
    </message>
    <message>
        <source>Service health</source>
        <translation>Dienstzustand</translation>
    </message>
    <message>
        <source>Self-heal events</source>
        <translation>Selbstheilungsereignisse</translation>
    </message>
    <message>
        <source>Diagnosing…</source>
        <translation>Diagnose läuft…</translation>
    </message>
    <message>
        <source>Diagnosis failed: %1</source>
        <translation>Diagnose fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>%1%</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>%1: %2 (playbook %3)</source>
        <translation>%1: %2 (Playbook %3)</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keins</translation>
    </message>
    <message>
        <source>%1 services, %2 with problems</source>
        <translation>%1 Dienste, %2 mit Problemen</translation>
    </message>
    <message>
        <source>PID</source>
        <translation>PID</translation>
    </message>
    <message>
        <source>Uptime</source>
        <translation>Laufzeit</translation>
    </message>
    <message>
        <source>%1, given up (%2)</source>
        <translation>%1, aufgegeben (%2)</translation>
    </message>
    <message>
        <source>%1, backing off until %2</source>
        <translation>%1, nächster Versuch nicht vor %2</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Ereignis</translation>
    </message>
    <message>
        <source>Playbook</source>
        <translation>Playbook</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>Eintrag</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>Details</translation>
    </message>
</context>
<context>
    <name>Portoser::HistoryModel</name>
    <message>
        <source>%1 → %2</source>
        <translation>%1 → %2</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>Service</source>
        <translation>Dienst</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>Host</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Actor</source>
        <translation>Akteur</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Gestartet</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Dauer</translation>
    </message>
</context>
<context>
    <name>Portoser::HistoryPage</name>
    <message>
        <source>Filter by service</source>
        <translation>Nach Dienst filtern</translation>
    </message>
    <message>
        <source>Service filter</source>
        <translation>Dienstfilter</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <source>Roll &amp;back…</source>
        <translation>&amp;Zurückrollen…</translation>
    </message>
    <message>
        <source>Redeploy the selected record&apos;s release and configuration</source>
        <translation>Release und Konfiguration des ausgewählten Eintrags erneut bereitstellen</translation>
    </message>
    <message>
        <source>Deployment history</source>
        <translation>Bereitstellungsverlauf</translation>
    </message>
    <message>
        <source>Record details</source>
        <translation>Eintragsdetails</translation>
    </message>
    <message>
        <source>Roll back</source>
        <translation>Zurückrollen</translation>
    </message>
    <message numerus="yes">
        <source>%n record(s) loaded</source>
        <translation>
            <numerusform>%n Eintrag geladen</numerusform>
            <numerusform>%n Einträge geladen</numerusform>
        </translation>
    </message>
    <message>
        <source>#%1 %2 of %3 on %4 by %5: %6</source>
        <translation>#%1 %2 von %3 auf %4 durch %5: %6</translation>
    </message>
    <message>
        <source>release %1 (before: %2)</source>
        <translation>Release %1 (vorher: %2)</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keins</translation>
    </message>
    <message>
        <source>Steps:</source>
        <translation>Schritte:</translation>
    </message>
    <message>
        <source>Config against #%1:</source>
        <translation>Konfiguration gegenüber #%1:</translation>
    </message>
    <message>
        <source>  (the same)</source>
        <translation>  (unverändert)</translation>
    </message>
    <message>
        <source>Roll %1 on %2 back to release %3, as record #%4 deployed it?

That release is started again with the configuration it had then (the registry file is not changed; the next plan shows the difference). This is recorded as a new rollback.</source>
        <translation>%1 auf %2 auf Release %3 zurückrollen, so wie Eintrag #%4 es bereitgestellt hat?

Dieses Release wird mit seiner damaligen Konfiguration erneut gestartet (die Registry-Datei wird nicht geändert; der nächste Plan zeigt den Unterschied). Dies wird als neues Zurückrollen protokolliert.</translation>
    </message>
    <message>
        <source>Rolling back %1 to #%2…</source>
        <translation>%1 wird auf #%2 zurückgerollt…</translation>
    </message>
    <message>
        <source>Rollback #%1: %2</source>
        <translation>Zurückrollen #%1: %2</translation>
    </message>
    <message>
        <source>Rollback failed: %1</source>
        <translation>Zurückrollen fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Host filter</source>
        <translation>Hostfilter</translation>
    </message>
    <message>
        <source>All hosts</source>
        <translation>Alle Hosts</translation>
    </message>
    <message>
        <source>Outcome filter</source>
        <translation>Ergebnisfilter</translation>
    </message>
    <message>
        <source>All outcomes</source>
        <translation>Alle Ergebnisse</translation>
    </message>
    <message>
        <source>succeeded</source>
        <translation>erfolgreich</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>rolled back</source>
        <translation>zurückgerollt</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>skipped</source>
        <translation>übersprungen</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>unterbrochen</translation>
    </message>
</context>
<context>
    <name>Portoser::HostWizard</name>
    <message>
        <source>Create a registry</source>
        <translation>Eine Registry anlegen</translation>
    </message>
    <message>
        <source>Describe the first host Portoser deploys to. It is asked over SSH: first for its key, which you confirm, then what it is.</source>
        <translation>Beschreiben Sie den ersten Host, auf den Portoser bereitstellt. Er wird über SSH gefragt: zuerst nach seinem Schlüssel, den Sie bestätigen, dann, was er ist.</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Auswählen…</translation>
    </message>
    <message>
        <source>Where the registry goes</source>
        <translation>Wohin die Registry kommt</translation>
    </message>
    <message>
        <source>Registry (*.yml *.yaml)</source>
        <translation>Registry (*.yml *.yaml)</translation>
    </message>
    <message>
        <source>pi1</source>
        <translation>pi1</translation>
    </message>
    <message>
        <source>192.168.1.20 or pi1.local</source>
        <translation>192.168.1.20 oder pi1.local</translation>
    </message>
    <message>
        <source>pi (empty: your own user name)</source>
        <translation>pi (leer: Ihr eigener Benutzername)</translation>
    </message>
    <message>
        <source>~/.ssh/id_ed25519 (empty: ssh-agent, then your keys)</source>
        <translation>~/.ssh/id_ed25519 (leer: ssh-agent, dann Ihre Schlüssel)</translation>
    </message>
    <message>
        <source>where Portoser keeps releases on the host</source>
        <translation>wo Portoser Releases auf dem Host ablegt</translation>
    </message>
    <message>
        <source>Registry &amp;file:</source>
        <translation>Registry-&amp;Datei:</translation>
    </message>
    <message>
        <source>Host &amp;name:</source>
        <translation>Host&amp;name:</translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation>&amp;Adresse:</translation>
    </message>
    <message>
        <source>SSH &amp;user:</source>
        <translation>SSH-&amp;Benutzer:</translation>
    </message>
    <message>
        <source>SSH &amp;port:</source>
        <translation>SSH-&amp;Port:</translation>
    </message>
    <message>
        <source>SSH &amp;key:</source>
        <translation>SSH-&amp;Schlüssel:</translation>
    </message>
    <message>
        <source>&amp;Base path:</source>
        <translation>&amp;Basispfad:</translation>
    </message>
    <message>
        <source>C&amp;onnect</source>
        <translation>&amp;Verbinden</translation>
    </message>
    <message>
        <source>&amp;Trust this key</source>
        <translation>Diesem Schlüssel &amp;vertrauen</translation>
    </message>
    <message>
        <source>&amp;Create</source>
        <translation>&amp;Anlegen</translation>
    </message>
    <message>
        <source>Give the host a name: letters, digits, &apos;-&apos;, &apos;_&apos; or &apos;.&apos;</source>
        <translation>Geben Sie dem Host einen Namen: Buchstaben, Ziffern, &apos;-&apos;, &apos;_&apos; oder &apos;.&apos;</translation>
    </message>
    <message>
        <source>Give the host&apos;s address</source>
        <translation>Geben Sie die Adresse des Hosts an</translation>
    </message>
    <message>
        <source>Give the base path: the directory Portoser may use on the host</source>
        <translation>Geben Sie den Basispfad an: das Verzeichnis, das Portoser auf dem Host verwenden darf</translation>
    </message>
    <message>
        <source>Asking %1 for its key…</source>
        <translation>Frage %1 nach seinem Schlüssel…</translation>
    </message>
    <message>
        <source>The host&apos;s key: %1</source>
        <translation>Der Schlüssel des Hosts: %1</translation>
    </message>
    <message>
        <source>This key is already trusted (%1).</source>
        <translation>Diesem Schlüssel wird bereits vertraut (%1).</translation>
    </message>
    <message>
        <source>Compare it with the host&apos;s own (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on it), then trust it.</source>
        <translation>Vergleichen Sie ihn mit dem des Hosts (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub auf ihm), dann vertrauen Sie ihm.</translation>
    </message>
    <message>
        <source>%1 lists another key for this address: a reinstalled host, or someone in between. Remove the old entry (ssh-keygen -R) only if you know why it changed.</source>
        <translation>%1 führt für diese Adresse einen anderen Schlüssel: ein neu installierter Host oder jemand dazwischen. Entfernen Sie den alten Eintrag (ssh-keygen -R) nur, wenn Sie wissen, warum er sich geändert hat.</translation>
    </message>
    <message>
        <source>Trusting the key and asking the host what it is…</source>
        <translation>Vertraue dem Schlüssel und frage den Host, was er ist…</translation>
    </message>
    <message>
        <source>The key is trusted, but logging in failed: %1</source>
        <translation>Dem Schlüssel wird vertraut, aber die Anmeldung schlug fehl: %1</translation>
    </message>
    <message>
        <source>%1, %2 — %3 free on its disk</source>
        <translation>%1, %2 — %3 frei auf seinem Datenträger</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>Ready: Create writes the registry.</source>
        <translation>Bereit: Anlegen schreibt die Registry.</translation>
    </message>
    <message>
        <source>Choose where the registry goes</source>
        <translation>Wählen Sie, wohin die Registry kommt</translation>
    </message>
    <message>
        <source>%1 exists already: choose another file (nothing was overwritten)</source>
        <translation>%1 existiert bereits: wählen Sie eine andere Datei (nichts wurde überschrieben)</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>Kann %1 nicht schreiben: %2</translation>
    </message>
</context>
<context>
    <name>Portoser::LocalLink</name>
    <message>
        <source>This computer</source>
        <translation>Dieser Rechner</translation>
    </message>
</context>
<context>
    <name>Portoser::LogsPage</name>
    <message>
        <source>Service</source>
        <translation>Dienst</translation>
    </message>
    <message>
        <source> lines</source>
        <translation> Zeilen</translation>
    </message>
    <message>
        <source>&amp;Follow</source>
        <translation>&amp;Verfolgen</translation>
    </message>
    <message>
        <source>Read the log again every two seconds</source>
        <translation>Das Protokoll alle zwei Sekunden neu einlesen</translation>
    </message>
    <message>
        <source>Service log</source>
        <translation>Dienstprotokoll</translation>
    </message>
    <message>
        <source>Service:</source>
        <translation>Dienst:</translation>
    </message>
    <message>
        <source>%1, read %2</source>
        <translation>%1, gelesen um %2</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <source>Read the log again (Ctrl+R)</source>
        <translation>Das Protokoll erneut lesen (Strg+R)</translation>
    </message>
</context>
<context>
    <name>Portoser::MainWindow</name>
    <message>
        <source>Portoser — %1</source>
        <translation>Portoser — %1</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation>Schweregrad</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>Ort</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Problem</translation>
    </message>
    <message>
        <source>Registry problems</source>
        <translation>Registry-Probleme</translation>
    </message>
    <message>
        <source>&amp;Cluster</source>
        <translation>&amp;Cluster</translation>
    </message>
    <message>
        <source>H&amp;ealth</source>
        <translation>&amp;Zustand</translation>
    </message>
    <message>
        <source>&amp;Logs</source>
        <translation>&amp;Protokolle</translation>
    </message>
    <message>
        <source>&amp;History</source>
        <translation>&amp;Verlauf</translation>
    </message>
    <message>
        <source>&amp;Secrets</source>
        <translation>&amp;Geheimnisse</translation>
    </message>
    <message>
        <source>Deploy</source>
        <translation>Bereitstellung</translation>
    </message>
    <message>
        <source>Deploy finished</source>
        <translation>Bereitstellung abgeschlossen</translation>
    </message>
    <message>
        <source>%1 of %2 changes failed</source>
        <translation>%1 von %2 Änderungen fehlgeschlagen</translation>
    </message>
    <message numerus="yes">
        <source>%n change(s) deployed</source>
        <translation>
            <numerusform>%n Änderung bereitgestellt</numerusform>
            <numerusform>%n Änderungen bereitgestellt</numerusform>
        </translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation>%1 wird geladen…</translation>
    </message>
    <message>
        <source>Watchdog off</source>
        <translation>Watchdog aus</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Open registry…</source>
        <translation>Registry ö&amp;ffnen…</translation>
    </message>
    <message>
        <source>Open a registry</source>
        <translation>Registry öffnen</translation>
    </message>
    <message>
        <source>Registry (*.yml *.yaml)</source>
        <translation>Registry (*.yml *.yaml)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>Portoser</source>
        <translation>Portoser</translation>
    </message>
    <message>
        <source>Cluster</source>
        <translation>Cluster</translation>
    </message>
    <message>
        <source>Observe</source>
        <translation>Beobachten</translation>
    </message>
    <message>
        <source>Find a service…</source>
        <translation>Dienst suchen…</translation>
    </message>
    <message>
        <source>Find a service</source>
        <translation>Dienst suchen</translation>
    </message>
    <message>
        <source>Find</source>
        <translation>Suchen</translation>
    </message>
    <message>
        <source>Watchdog</source>
        <translation>Watchdog</translation>
    </message>
    <message>
        <source>Run the self-heal watchdog: observe, diagnose and fix services on a timer</source>
        <translation>Selbstheilungs-Watchdog ausführen: Dienste in festen Abständen beobachten, diagnostizieren und reparieren</translation>
    </message>
    <message>
        <source>Observing…</source>
        <translation>Beobachtung läuft…</translation>
    </message>
    <message>
        <source>%1 of %2 services running</source>
        <translation>%1 von %2 Diensten laufen</translation>
    </message>
    <message>
        <source>Cannot move here: %1</source>
        <translation>Verschieben hierher nicht möglich: %1</translation>
    </message>
    <message>
        <source>%1 cannot move to %2: %3</source>
        <translation>%1 kann nicht nach %2 verschoben werden: %3</translation>
    </message>
    <message>
        <source>Staged: %1 → %2. Nothing changes until Deploy.</source>
        <translation>Vorgemerkt: %1 → %2. Erst beim Bereitstellen ändert sich etwas.</translation>
    </message>
    <message>
        <source>Watchdog paused</source>
        <translation>Watchdog pausiert</translation>
    </message>
    <message>
        <source>%1 on %2</source>
        <translation>%1 auf %2</translation>
    </message>
    <message>
        <source>Watchdog: %1 services, %2 with problems (%3 ms)</source>
        <translation>Watchdog: %1 Dienste, %2 mit Problemen (%3 ms)</translation>
    </message>
    <message>
        <source>Watchdog starting…</source>
        <translation>Watchdog startet…</translation>
    </message>
    <message>
        <source>error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>warning</source>
        <translation>Warnung</translation>
    </message>
    <message>
        <source>Double-click to open it in your editor</source>
        <translation>Doppelklicken Sie, um die Stelle in Ihrem Editor zu öffnen</translation>
    </message>
    <message>
        <source>%1 hosts, %2 services, %3 errors, %4 warnings</source>
        <translation>%1 Hosts, %2 Dienste, %3 Fehler, %4 Warnungen</translation>
    </message>
    <message>
        <source>Ask every host how it and its services are (F5)</source>
        <translation>Jeden Host nach seinem Zustand und dem seiner Dienste fragen (F5)</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>Einpassen</translation>
    </message>
    <message>
        <source>Show the whole cluster (Ctrl+0)</source>
        <translation>Den ganzen Cluster anzeigen (Strg+0)</translation>
    </message>
    <message>
        <source>Dependencies</source>
        <translation>Abhängigkeiten</translation>
    </message>
    <message>
        <source>Draw an arrow from each service to what it depends on (Ctrl+D)</source>
        <translation>Von jedem Dienst einen Pfeil zu seinen Abhängigkeiten zeichnen (Strg+D)</translation>
    </message>
    <message>
        <source>Open &amp;recent</source>
        <translation>Zu&amp;letzt geöffnet</translation>
    </message>
    <message>
        <source>(none yet)</source>
        <translation>(noch keine)</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>The new language shows when Portoser next starts.</source>
        <translation>Die neue Sprache gilt ab dem nächsten Start von Portoser.</translation>
    </message>
    <message>
        <source>unhealthy: %1</source>
        <translation>nicht gesund: %1</translation>
    </message>
    <message>
        <source>Portoser: %1</source>
        <translation>Portoser: %1</translation>
    </message>
    <message>
        <source>Watchdog: asking %1…</source>
        <translation>Watchdog: frage %1 …</translation>
    </message>
    <message>
        <source>Watchdog off: the coordinator heals</source>
        <translation>Watchdog aus: der Koordinator heilt</translation>
    </message>
    <message>
        <source>Watchdog not started: %1</source>
        <translation>Watchdog nicht gestartet: %1</translation>
    </message>
    <message>
        <source>A deploy is running; try again when it has finished.</source>
        <translation>Ein Deploy läuft; bitte erneut versuchen, wenn es fertig ist.</translation>
    </message>
    <message>
        <source>Stop %1</source>
        <translation>%1 stoppen</translation>
    </message>
    <message>
        <source>Stop %1? It stays stopped (the watchdog leaves it alone) until it is started or deployed again.</source>
        <translation>%1 stoppen? Der Dienst bleibt gestoppt (der Watchdog lässt ihn in Ruhe), bis er wieder gestartet oder deployt wird.</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>Deploy what is &amp;out of date</source>
        <translation>&amp;Veraltetes deployen</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;Documentation</source>
        <translation>&amp;Dokumentation</translation>
    </message>
    <message>
        <source>The documentation is in the docs/ folder of Portoser&apos;s source and in /usr/share/doc/portoser when installed from the package.</source>
        <translation>Die Dokumentation liegt im Ordner docs/ der Quellen von Portoser und, aus dem Paket installiert, in /usr/share/doc/portoser.</translation>
    </message>
    <message>
        <source>&amp;About Portoser</source>
        <translation>&amp;Über Portoser</translation>
    </message>
    <message>
        <source>About Portoser</source>
        <translation>Über Portoser</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Portoser %1&lt;/h3&gt;&lt;p&gt;Deploys the services of a small cluster over plain SSH, health-gated and reverting by itself, and heals what it recognises.&lt;/p&gt;&lt;p&gt;Apache License 2.0.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Portoser %1&lt;/h3&gt;&lt;p&gt;Deployt die Dienste eines kleinen Clusters über einfaches SSH, mit Health-Gate und selbsttätiger Rücknahme, und heilt, was es erkennt.&lt;/p&gt;&lt;p&gt;Apache-Lizenz 2.0.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>Über &amp;Qt</translation>
    </message>
    <message>
        <source>Portoser — %1 (%2)</source>
        <translation>Portoser — %1 (%2)</translation>
    </message>
    <message>
        <source>The coordinator heals this cluster: a connected window never does</source>
        <translation>Der Koordinator heilt diesen Cluster: ein verbundenes Fenster heilt nie</translation>
    </message>
    <message>
        <source>&amp;Connect to coordinator…</source>
        <translation>Mit &amp;Koordinator verbinden…</translation>
    </message>
    <message>
        <source>Work through a coordinator (portoser --serve): its sessions, history and healer</source>
        <translation>Über einen Koordinator arbeiten (portoser --serve): seine Sitzungen, sein Verlauf und seine Selbstheilung</translation>
    </message>
    <message>
        <source>Recent coordi&amp;nators</source>
        <translation>Zuletzt verwendete Koordi&amp;natoren</translation>
    </message>
    <message>
        <source>Work on &amp;this computer</source>
        <translation>Auf &amp;diesem Rechner arbeiten</translation>
    </message>
    <message>
        <source>a token is not sent over plain http to another machine: use https://%1</source>
        <translation>ein Token wird nicht über einfaches http an einen anderen Rechner geschickt: https://%1 verwenden</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Verbinde mit %1…</translation>
    </message>
    <message>
        <source>Opened a window on %1</source>
        <translation>Fenster auf %1 geöffnet</translation>
    </message>
    <message>
        <source>Connect to a coordinator</source>
        <translation>Mit einem Koordinator verbinden</translation>
    </message>
    <message>
        <source>Could not connect to %1: %2</source>
        <translation>Verbindung mit %1 nicht möglich: %2</translation>
    </message>
    <message>
        <source>Healing: by the coordinator</source>
        <translation>Selbstheilung: durch den Koordinator</translation>
    </message>
    <message>
        <source>● %1 (%2)</source>
        <translation>● %1 (%2)</translation>
    </message>
    <message>
        <source>● Disconnected — reconnecting…</source>
        <translation>● Getrennt — verbinde neu…</translation>
    </message>
    <message>
        <source>Connected to %1 as %2</source>
        <translation>Verbunden mit %1 als %2</translation>
    </message>
    <message>
        <source>this coordinator has no single sign-on (started without --oidc-issuer): use an API token</source>
        <translation>dieser Koordinator hat kein Single Sign-on (ohne --oidc-issuer gestartet): ein API-Token verwenden</translation>
    </message>
    <message>
        <source>Signing in at %1&apos;s identity provider…</source>
        <translation>Anmeldung beim Identitätsanbieter von %1…</translation>
    </message>
    <message>
        <source>Try the demo</source>
        <translation>Die Demo ausprobieren</translation>
    </message>
    <message>
        <source>The demo was not found: it ships in examples/demo of Portoser&apos;s source and /usr/share/portoser/demo of its package (or set PORTOSER_DEMO_DIR).</source>
        <translation>Die Demo wurde nicht gefunden: sie liegt in examples/demo der Quellen von Portoser und in /usr/share/portoser/demo seines Pakets (oder PORTOSER_DEMO_DIR setzen).</translation>
    </message>
    <message>
        <source>Cannot copy the demo to %1</source>
        <translation>Kann die Demo nicht nach %1 kopieren</translation>
    </message>
    <message>
        <source>No registry yet</source>
        <translation>Noch keine Registry</translation>
    </message>
</context>
<context>
    <name>Portoser::OidcLogin</name>
    <message>
        <source>the issuer %1 is not https</source>
        <translation>der Aussteller %1 ist nicht https</translation>
    </message>
    <message>
        <source>the issuer&apos;s discovery document: %1</source>
        <translation>das Discovery-Dokument des Ausstellers: %1</translation>
    </message>
    <message>
        <source>the issuer names no https authorization and token endpoints</source>
        <translation>der Aussteller nennt keine https-Endpunkte für Autorisierung und Token</translation>
    </message>
    <message>
        <source>cannot listen on 127.0.0.1 for the login&apos;s answer: %1</source>
        <translation>kann auf 127.0.0.1 nicht auf die Antwort der Anmeldung warten: %1</translation>
    </message>
    <message>
        <source>no answer from the login in the browser within 5 minutes</source>
        <translation>keine Antwort der Anmeldung im Browser innerhalb von 5 Minuten</translation>
    </message>
    <message>
        <source>Signed in to Portoser. You can close this tab.</source>
        <translation>Bei Portoser angemeldet. Sie können diesen Tab schließen.</translation>
    </message>
    <message>
        <source>Portoser&apos;s sign-in did not complete; see the window.</source>
        <translation>Die Anmeldung bei Portoser wurde nicht abgeschlossen; siehe das Fenster.</translation>
    </message>
    <message>
        <source>the issuer refused: %1 %2</source>
        <translation>der Aussteller lehnte ab: %1 %2</translation>
    </message>
    <message>
        <source>no browser opened; open this address yourself: %1</source>
        <translation>kein Browser geöffnet; öffnen Sie diese Adresse selbst: %1</translation>
    </message>
    <message>
        <source>the issuer gave no token: %1</source>
        <translation>der Aussteller gab kein Token aus: %1</translation>
    </message>
    <message>
        <source>the issuer&apos;s answer carries no code</source>
        <translation>die Antwort des Ausstellers enthält keinen Code</translation>
    </message>
</context>
<context>
    <name>Portoser::SecretsPage</name>
    <message>
        <source>Backend:</source>
        <translation>Backend:</translation>
    </message>
    <message>
        <source>Secrets backend</source>
        <translation>Backend für Geheimnisse</translation>
    </message>
    <message>
        <source>Encrypted local store</source>
        <translation>Verschlüsselter lokaler Speicher</translation>
    </message>
    <message>
        <source>HashiCorp Vault</source>
        <translation>HashiCorp Vault</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <source>Read the secrets again</source>
        <translation>Die Geheimnisse neu einlesen</translation>
    </message>
    <message>
        <source>&amp;Add…</source>
        <translation>&amp;Hinzufügen…</translation>
    </message>
    <message>
        <source>Store a new secret</source>
        <translation>Ein neues Geheimnis speichern</translation>
    </message>
    <message>
        <source>&amp;Import .env…</source>
        <translation>.env &amp;importieren…</translation>
    </message>
    <message>
        <source>Write the keys of a .env file, after a preview</source>
        <translation>Die Schlüssel einer .env-Datei nach einer Vorschau schreiben</translation>
    </message>
    <message>
        <source>Import a .env file</source>
        <translation>.env-Datei importieren</translation>
    </message>
    <message>
        <source>Environment files (*.env .env);;All files (*)</source>
        <translation>Umgebungsdateien (*.env .env);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Secret paths</source>
        <translation>Geheimnispfade</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>Pfad</translation>
    </message>
    <message>
        <source>Keys of the selected path</source>
        <translation>Schlüssel des ausgewählten Pfads</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Schlüssel</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Version</translation>
    </message>
    <message>
        <source>Updated</source>
        <translation>Aktualisiert</translation>
    </message>
    <message>
        <source>Used by</source>
        <translation>Verwendet von</translation>
    </message>
    <message>
        <source>Reading secrets…</source>
        <translation>Geheimnisse werden gelesen…</translation>
    </message>
    <message numerus="yes">
        <source>%n secret(s) in %1</source>
        <translation>
            <numerusform>%n Geheimnis in %1</numerusform>
            <numerusform>%n Geheimnisse in %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Reveal</source>
        <translation>Anzeigen</translation>
    </message>
    <message>
        <source>Show the value for a while</source>
        <translation>Den Wert kurz anzeigen</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Bearbeiten…</translation>
    </message>
    <message>
        <source>Store a new value</source>
        <translation>Einen neuen Wert speichern</translation>
    </message>
    <message>
        <source>History…</source>
        <translation>Verlauf…</translation>
    </message>
    <message>
        <source>Versions, and restore one</source>
        <translation>Versionen anzeigen und eine wiederherstellen</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>Löschen…</translation>
    </message>
    <message>
        <source>Delete this key</source>
        <translation>Diesen Schlüssel löschen</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Wird gespeichert…</translation>
    </message>
    <message>
        <source>Secrets</source>
        <translation>Geheimnisse</translation>
    </message>
    <message>
        <source>Add a secret</source>
        <translation>Geheimnis hinzufügen</translation>
    </message>
    <message>
        <source>New value for %1#%2</source>
        <translation>Neuer Wert für %1#%2</translation>
    </message>
    <message>
        <source>Replace the value</source>
        <translation>Wert ersetzen</translation>
    </message>
    <message>
        <source>Store a new value for %1#%2? The old one stays in its history.%3</source>
        <translation>Einen neuen Wert für %1#%2 speichern? Der alte bleibt im Verlauf erhalten.%3</translation>
    </message>
    <message>
        <source>
Used by: %1 (redeploy them with deploy --changed-secrets)</source>
        <translation>
Verwendet von: %1 (stellen Sie diese mit deploy --changed-secrets erneut bereit)</translation>
    </message>
    <message>
        <source>Delete a secret</source>
        <translation>Geheimnis löschen</translation>
    </message>
    <message>
        <source>Delete %1#%2? Its versions are kept and can be restored.</source>
        <translation>%1#%2 löschen? Die Versionen bleiben erhalten und können wiederhergestellt werden.</translation>
    </message>
    <message>
        <source>History of %1#%2</source>
        <translation>Verlauf von %1#%2</translation>
    </message>
    <message>
        <source>Stored</source>
        <translation>Gespeichert</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>deleted</source>
        <translation>gelöscht</translation>
    </message>
    <message>
        <source>value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>&amp;Restore</source>
        <translation>&amp;Wiederherstellen</translation>
    </message>
    <message>
        <source>Restore a version</source>
        <translation>Version wiederherstellen</translation>
    </message>
    <message>
        <source>Make version %1 of %2#%3 current again (stored as a new version)?</source>
        <translation>Version %1 von %2#%3 wieder zur aktuellen machen (wird als neue Version gespeichert)?</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Import</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message numerus="yes">
        <source>Import %n key(s)</source>
        <translation>
            <numerusform>%n Schlüssel importieren</numerusform>
            <numerusform>%n Schlüssel importieren</numerusform>
        </translation>
    </message>
    <message>
        <source>Into &amp;path:</source>
        <translation>In &amp;Pfad:</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Änderung</translation>
    </message>
    <message>
        <source>new</source>
        <translation>neu</translation>
    </message>
    <message>
        <source>new value</source>
        <translation>neuer Wert</translation>
    </message>
    <message>
        <source>unchanged</source>
        <translation>unverändert</translation>
    </message>
    <message>
        <source>&amp;Write</source>
        <translation>&amp;Schreiben</translation>
    </message>
</context>
<context>
    <name>Portoser::SettingsDialog</name>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Browse for %1</source>
        <translation>%1 auswählen</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Registry</source>
        <translation>Registry</translation>
    </message>
    <message>
        <source>PORTOSER_REGISTRY, ./registry.yml or ~/.portoser/registry.yml</source>
        <translation>PORTOSER_REGISTRY, ./registry.yml oder ~/.portoser/registry.yml</translation>
    </message>
    <message>
        <source>Store</source>
        <translation>Datenbank</translation>
    </message>
    <message>
        <source>~/.portoser/portoser.db, or postgresql://user@host/db</source>
        <translation>~/.portoser/portoser.db oder postgresql://user@host/db</translation>
    </message>
    <message>
        <source>A SQLite file, or a PostgreSQL URL shared with `portoser --serve`. Keep the password in ~/.pgpass.</source>
        <translation>Eine SQLite-Datei oder eine PostgreSQL-URL, die mit `portoser --serve` gemeinsam genutzt wird. Bewahren Sie das Passwort in ~/.pgpass auf.</translation>
    </message>
    <message>
        <source>Secrets backend</source>
        <translation>Backend für Geheimnisse</translation>
    </message>
    <message>
        <source>Encrypted local store</source>
        <translation>Verschlüsselter lokaler Speicher</translation>
    </message>
    <message>
        <source>HashiCorp Vault</source>
        <translation>HashiCorp Vault</translation>
    </message>
    <message>
        <source>Secrets file</source>
        <translation>Datei für Geheimnisse</translation>
    </message>
    <message>
        <source>~/.portoser/secrets.enc</source>
        <translation>~/.portoser/secrets.enc</translation>
    </message>
    <message>
        <source>Vault address</source>
        <translation>Vault-Adresse</translation>
    </message>
    <message>
        <source>KV mount</source>
        <translation>KV-Mount</translation>
    </message>
    <message>
        <source>Watchdog interval</source>
        <translation>Watchdog-Intervall</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>each service&apos;s own</source>
        <translation>pro Dienst festgelegt</translation>
    </message>
    <message>
        <source>Accept the key of a host seen for the first time</source>
        <translation>Schlüssel eines erstmals gesehenen Hosts akzeptieren</translation>
    </message>
    <message>
        <source>Trust on first use, like ssh&apos;s StrictHostKeyChecking=accept-new. A key that changed is always refused.</source>
        <translation>Vertrauen beim ersten Kontakt, wie StrictHostKeyChecking=accept-new bei ssh. Ein geänderter Schlüssel wird immer abgelehnt.</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>The system&apos;s</source>
        <translation>Systemsprache</translation>
    </message>
    <message>
        <source>&amp;Registry:</source>
        <translation>&amp;Registry:</translation>
    </message>
    <message>
        <source>Registry (*.yml *.yaml)</source>
        <translation>Registry (*.yml *.yaml)</translation>
    </message>
    <message>
        <source>S&amp;tore:</source>
        <translation>Da&amp;tenbank:</translation>
    </message>
    <message>
        <source>SQLite (*.db)</source>
        <translation>SQLite (*.db)</translation>
    </message>
    <message>
        <source>Secrets &amp;backend:</source>
        <translation>&amp;Backend für Geheimnisse:</translation>
    </message>
    <message>
        <source>Secrets &amp;file:</source>
        <translation>&amp;Datei für Geheimnisse:</translation>
    </message>
    <message>
        <source>Secrets (*.enc)</source>
        <translation>Geheimnisse (*.enc)</translation>
    </message>
    <message>
        <source>Vault &amp;address:</source>
        <translation>Vault-&amp;Adresse:</translation>
    </message>
    <message>
        <source>KV &amp;mount:</source>
        <translation>KV-&amp;Mount:</translation>
    </message>
    <message>
        <source>&amp;Watchdog interval:</source>
        <translation>&amp;Watchdog-Intervall:</translation>
    </message>
    <message>
        <source>Host keys:</source>
        <translation>Host-Schlüssel:</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Sprache:</translation>
    </message>
    <message>
        <source>A new language shows when Portoser next starts.</source>
        <translation>Eine neue Sprache gilt ab dem nächsten Start von Portoser.</translation>
    </message>
</context>
<context>
    <name>Portoser::StagedMoves</name>
    <message>
        <source>move %1: %2 → %3</source>
        <translation>%1 verschieben: %2 → %3</translation>
    </message>
    <message>
        <source>Staged: %1 will be deployed on %2, pass its health gate there, and only then be stopped on %3</source>
        <translation>Vorgemerkt: %1 wird auf %2 bereitgestellt, muss dort die Zustandsprüfung bestehen und wird erst dann auf %3 gestoppt</translation>
    </message>
    <message>
        <source>redeploy %1 on %2</source>
        <translation>%1 auf %2 erneut bereitstellen</translation>
    </message>
    <message>
        <source>Staged: %1 will be deployed again on %2 even if nothing changed (as `deploy --force`)</source>
        <translation>Vorgemerkt: %1 wird auf %2 erneut bereitgestellt, auch wenn sich nichts geändert hat (wie `deploy --force`)</translation>
    </message>
</context>
<context>
    <name>Portoser::TopologyView</name>
    <message>
        <source>Cluster topology</source>
        <translation>Cluster-Topologie</translation>
    </message>
    <message>
        <source>Hosts with their services; drag a service onto another host to stage a move</source>
        <translation>Hosts mit ihren Diensten; ziehen Sie einen Dienst auf einen anderen Host, um eine Verschiebung vorzumerken</translation>
    </message>
</context>
<context>
    <name>Portoser::WelcomePage</name>
    <message>
        <source>&lt;h2&gt;Welcome to Portoser&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;Willkommen bei Portoser&lt;/h2&gt;</translation>
    </message>
    <message>
        <source>Portoser deploys the services of your machines over plain SSH, checks that each answers, reverts what does not, and heals what it recognises. It starts from a registry: one file that names your hosts and services.</source>
        <translation>Portoser stellt die Dienste Ihrer Rechner über einfaches SSH bereit, prüft, dass jeder antwortet, nimmt zurück, was nicht antwortet, und heilt, was es erkennt. Alles beginnt mit einer Registry: einer Datei, die Ihre Hosts und Dienste nennt.</translation>
    </message>
    <message>
        <source>Try the demo</source>
        <translation>Die Demo ausprobieren</translation>
    </message>
    <message>
        <source>Three small services on this machine: deploy, move, roll back and watch them heal, without touching another computer.</source>
        <translation>Drei kleine Dienste auf diesem Rechner: bereitstellen, verschieben, zurückrollen und beim Heilen zusehen, ohne einen anderen Rechner anzufassen.</translation>
    </message>
    <message>
        <source>Create a registry</source>
        <translation>Eine Registry anlegen</translation>
    </message>
    <message>
        <source>Start from your first host: its address, SSH user and key. Portoser shows its key for you to confirm.</source>
        <translation>Beginnen Sie mit Ihrem ersten Host: seine Adresse, sein SSH-Benutzer und Schlüssel. Portoser zeigt seinen Schlüssel zur Bestätigung.</translation>
    </message>
    <message>
        <source>Open a registry…</source>
        <translation>Eine Registry öffnen…</translation>
    </message>
    <message>
        <source>A registry.yml you already have (Portoser&apos;s own or the upstream project&apos;s).</source>
        <translation>Eine vorhandene registry.yml (von Portoser oder vom Upstream-Projekt).</translation>
    </message>
    <message>
        <source>Connect to a coordinator…</source>
        <translation>Mit einem Koordinator verbinden…</translation>
    </message>
    <message>
        <source>Work through a portoser --serve that runs the cluster.</source>
        <translation>Über ein portoser --serve arbeiten, das den Cluster betreibt.</translation>
    </message>
    <message>
        <source>No registry at %1 yet.</source>
        <translation>Noch keine Registry unter %1.</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>services/api</source>
        <translation>services/api</translation>
    </message>
    <message>
        <source>DB_PASSWORD</source>
        <translation>DB_PASSWORD</translation>
    </message>
    <message>
        <source>Secret value</source>
        <translation>Geheimer Wert</translation>
    </message>
    <message>
        <source>&amp;Path:</source>
        <translation>&amp;Pfad:</translation>
    </message>
    <message>
        <source>&amp;Key:</source>
        <translation>&amp;Schlüssel:</translation>
    </message>
    <message>
        <source>&amp;Value:</source>
        <translation>&amp;Wert:</translation>
    </message>
    <message>
        <source>%1#%2 stored (version %3)</source>
        <translation>%1#%2 gespeichert (Version %3)</translation>
    </message>
    <message>
        <source>%1#%2 is now version %3</source>
        <translation>%1#%2 ist jetzt Version %3</translation>
    </message>
    <message>
        <source>%1#%2 deleted</source>
        <translation>%1#%2 gelöscht</translation>
    </message>
    <message>
        <source>%1#%2: version %3 restored as %4</source>
        <translation>%1#%2: Version %3 als %4 wiederhergestellt</translation>
    </message>
    <message>
        <source>%1 of %2 keys written to %3</source>
        <translation>%1 von %2 Schlüsseln nach %3 geschrieben</translation>
    </message>
    <message>
        <source>%1 on %2 — drag onto another host to stage a move</source>
        <translation>%1 auf %2 — auf einen anderen Host ziehen, um eine Verschiebung vorzumerken</translation>
    </message>
    <message>
        <source>%1 on %2: %3%4</source>
        <translation>%1 auf %2: %3%4</translation>
    </message>
    <message>
        <source>not observed yet</source>
        <translation>noch nicht beobachtet</translation>
    </message>
    <message>
        <source>
%1 (route %2)</source>
        <translation>
%1 (Route %2)</translation>
    </message>
    <message>
        <source>%1: unreachable — %2</source>
        <translation>%1: nicht erreichbar — %2</translation>
    </message>
    <message>
        <source>load %1</source>
        <translation>Last %1</translation>
    </message>
    <message>
        <source>mem %1%</source>
        <translation>RAM %1 %</translation>
    </message>
    <message>
        <source>disk %1%</source>
        <translation>Platte %1 %</translation>
    </message>
    <message>
        <source>↻ redeploy</source>
        <translation>↻ erneut bereitstellen</translation>
    </message>
    <message>
        <source>Unmark for redeploy</source>
        <translation>Vormerkung zur erneuten Bereitstellung aufheben</translation>
    </message>
    <message>
        <source>Mark for redeploy on %1</source>
        <translation>Zur erneuten Bereitstellung auf %1 vormerken</translation>
    </message>
    <message>
        <source>answered in %1 ms</source>
        <translation>antwortete in %1 ms</translation>
    </message>
    <message>
        <source>unreachable</source>
        <translation>nicht erreichbar</translation>
    </message>
    <message>
        <source>reachable</source>
        <translation>erreichbar</translation>
    </message>
</context>
<context>
    <name>ServiceAction</name>
    <message>
        <source>Start</source>
        <translation>Starten</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stoppen</translation>
    </message>
    <message>
        <source>Restart</source>
        <translation>Neu starten</translation>
    </message>
</context>
</TS>
