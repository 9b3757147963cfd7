#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Holds vault-test-server.py to an independent, well-known Vault client: Debian's python3-hvac.
Every call Portoser's Vault client makes is made here through hvac as well, and must succeed or
fail the way hvac expects of a real Vault (its exception classes follow Vault's status codes and
its result parsing follows Vault's JSON). Starts its own server over TLS with a throwaway CA.
Exit 0 when all checks pass, 1 otherwise (a missing hvac or openssl included)."""
import os
import shutil
import subprocess
import sys
import tempfile
import time

try:
    import hvac
    from hvac import exceptions
except ImportError:
    print('FAIL: python3-hvac is not installed: run scripts/setup')
    sys.exit(1)

HERE = os.path.dirname(os.path.abspath(__file__))
failures = []


def check(name, condition):
    print(('ok   ' if condition else 'FAIL ') + name)
    if not condition:
        failures.append(name)


def raises(name, exception, call):
    try:
        call()
    except exception:
        check(name, True)
        return
    except Exception as e:  # noqa: BLE001 - report what was raised instead
        check('%s (raised %s: %s)' % (name, type(e).__name__, e), False)
        return
    check(name + ' (nothing raised)', False)


def make_ca(folder):
    def openssl(*args):
        subprocess.run(['openssl', *args], check=True, capture_output=True, cwd=folder)
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
            '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=vault test CA')
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
            '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1')
    with open(os.path.join(folder, 'san.ext'), 'w') as f:
        f.write('subjectAltName=IP:127.0.0.1,DNS:localhost\n')
    openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key',
            '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'san.ext')


def main():
    if not shutil.which('openssl'):
        print('FAIL: openssl is not installed: run scripts/setup')
        return 1
    folder = tempfile.mkdtemp(prefix='vault-hvac-')
    make_ca(folder)
    server = subprocess.Popen(
        [sys.executable, os.path.join(HERE, 'vault-test-server.py'), '--cert',
         os.path.join(folder, 'server.crt'), '--key', os.path.join(folder, 'server.key'),
         '--approle', 'role-1:secret-1:2:4'], stdout=subprocess.PIPE, text=True)
    try:
        port = int(server.stdout.readline().split()[-1])
        url = 'https://127.0.0.1:%d' % port
        ca = os.path.join(folder, 'ca.crt')
        run(url, ca)
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(folder)
    print('%d failure(s)' % len(failures))
    return 1 if failures else 0


def run(url, ca):
    root = hvac.Client(url=url, token='root-token', verify=ca)
    kv = root.secrets.kv.v2
    check('health over TLS with the custom CA', root.sys.read_health_status(method='GET')['sealed'] is False)
    check('token is authenticated', root.is_authenticated())

    written = kv.create_or_update_secret('services/api', {'DB_PASSWORD': 'one'})
    check('write returns version 1', written['data']['version'] == 1)
    read = kv.read_secret_version('services/api')
    check('read returns the data', read['data']['data'] == {'DB_PASSWORD': 'one'})
    check('read returns metadata.version', read['data']['metadata']['version'] == 1)
    kv.create_or_update_secret('services/api', {'DB_PASSWORD': 'two', 'TOKEN': 't'}, cas=1)
    raises('stale cas is InvalidRequest', exceptions.InvalidRequest,
           lambda: kv.create_or_update_secret('services/api', {'X': 'y'}, cas=1))
    raises('cas=0 on an existing secret is InvalidRequest', exceptions.InvalidRequest,
           lambda: kv.create_or_update_secret('services/api', {'X': 'y'}, cas=0))
    check('old version readable', kv.read_secret_version('services/api', version=1)['data']['data']
          == {'DB_PASSWORD': 'one'})
    kv.create_or_update_secret('services/web', {'K': 'v'})
    kv.create_or_update_secret('other', {'K': 'v'})
    check('list at the top', kv.list_secrets('')['data']['keys'] == ['other', 'services/'])
    check('list a folder', kv.list_secrets('services')['data']['keys'] == ['api', 'web'])
    raises('list of nothing is InvalidPath', exceptions.InvalidPath, lambda: kv.list_secrets('nothing'))
    meta = kv.read_secret_metadata('services/api')['data']
    check('metadata current_version', meta['current_version'] == 2)
    check('metadata versions', sorted(meta['versions']) == ['1', '2'])
    raises('missing secret is InvalidPath', exceptions.InvalidPath,
           lambda: kv.read_secret_version('services/none'))

    kv.delete_latest_version_of_secret('services/api')
    raises('deleted latest version is InvalidPath', exceptions.InvalidPath,
           lambda: kv.read_secret_version('services/api'))
    check('deletion_time in metadata',
          kv.read_secret_metadata('services/api')['data']['versions']['2']['deletion_time'] != '')
    kv.undelete_secret_versions('services/api', versions=[2])
    check('undelete restores', kv.read_secret_version('services/api')['data']['data']['TOKEN'] == 't')
    kv.destroy_secret_versions('services/api', versions=[1])
    check('destroyed in metadata',
          kv.read_secret_metadata('services/api')['data']['versions']['1']['destroyed'] is True)
    raises('destroyed version is InvalidPath', exceptions.InvalidPath,
           lambda: kv.read_secret_version('services/api', version=1))
    kv.delete_metadata_and_all_versions('other')
    raises('deleted metadata is gone', exceptions.InvalidPath, lambda: kv.read_secret_metadata('other'))

    reader = hvac.Client(url=url, token='reader-token', verify=ca)
    check('reader reads', reader.secrets.kv.v2.read_secret_version('services/web')['data']['data'] == {'K': 'v'})
    raises('reader write is Forbidden', exceptions.Forbidden,
           lambda: reader.secrets.kv.v2.create_or_update_secret('services/web', {'K': 'w'}))
    raises('bad token is Forbidden', exceptions.Forbidden,
           lambda: hvac.Client(url=url, token='nope', verify=ca).secrets.kv.v2.read_secret_version('x'))

    spaced = hvac.Client(url=url, token='root-token', verify=ca, namespace='team-a')
    spaced.secrets.kv.v2.create_or_update_secret('services/web', {'K': 'namespaced'})
    check('namespace is its own tree',
          kv.read_secret_version('services/web')['data']['data'] == {'K': 'v'} and
          spaced.secrets.kv.v2.read_secret_version('services/web')['data']['data'] == {'K': 'namespaced'})

    login = hvac.Client(url=url, verify=ca)
    raises('wrong secret_id is InvalidRequest', exceptions.InvalidRequest,
           lambda: login.auth.approle.login('role-1', 'wrong'))
    auth = login.auth.approle.login('role-1', 'secret-1')['auth']
    check('approle login gives a renewable token', auth['renewable'] and auth['lease_duration'] == 2)
    login.token = auth['client_token']
    check('approle token works', login.secrets.kv.v2.read_secret_version('services/web')['data']['data'])
    time.sleep(1.2)
    renewed = login.auth.token.renew_self()['auth']
    check('renew-self extends the lease', renewed['lease_duration'] == 2)
    check('lookup-self reports ttl', login.auth.token.lookup_self()['data']['ttl'] >= 1)
    time.sleep(2.1)
    raises('token expired after its ttl is Forbidden', exceptions.Forbidden,
           lambda: login.secrets.kv.v2.read_secret_version('services/web'))

    root.adapter.post('/_test/seal', json={'sealed': True})
    raises('sealed read is VaultDown', exceptions.VaultDown,
           lambda: kv.read_secret_version('services/web'))
    check('health says sealed', root.sys.read_health_status(method='GET').status_code == 503)
    root.adapter.post('/_test/seal', json={'sealed': False})
    check('unsealed again', kv.read_secret_version('services/web')['data']['data'] == {'K': 'v'})


if __name__ == '__main__':
    sys.exit(main())
