#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A Vault-API test server: the documented KV v2 and AppRole endpoints of HashiCorp Vault and their
error shapes, in memory, so the suite can exercise Portoser's Vault client where no Vault server
can be installed. check_with_hvac.py holds this server to an independent client (python3-hvac).

Implemented (paths as Vault documents them, JSON bodies, {"errors": [...]} on failure):
  GET  /v1/sys/health                              200, or 503 while sealed
  POST /v1/auth/approle/login                      {role_id, secret_id} -> auth.client_token
  POST /v1/auth/token/renew-self                   extends the token up to its max TTL
  GET  /v1/auth/token/lookup-self
  GET/POST/PUT/DELETE /v1/<mount>/data/<path>      read (?version=N), write (options.cas), delete latest
  GET/LIST/DELETE     /v1/<mount>/metadata/<path>  metadata, list (LIST or ?list=true), delete all
  POST /v1/<mount>/delete|undelete|destroy/<path>  {versions: [...]}
Tokens carry a policy: "root" may do everything, "reader" only read and list (403 otherwise).
An X-Vault-Namespace header selects a separate tree, as Vault Enterprise namespaces do.
Test controls (not Vault's): POST /_test/seal {"sealed": bool}, GET /_test/stats.

Usage: vault-test-server.py [--port N] [--root-token T] [--reader-token T]
                            [--approle ROLE_ID:SECRET_ID:TTL:MAX_TTL] [--cert F --key F]
Prints "listening on PORT" once ready.
"""
import argparse
import json
import secrets
import ssl
import threading
import time
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

LOCK = threading.Lock()
STATE = {'sealed': False, 'tokens': {}, 'approles': {}, 'trees': {},
         'stats': {'login': 0, 'renew': 0, 'requests': 0}}


def now_iso():
    return datetime.now(timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')


class VaultError(Exception):
    def __init__(self, status, *errors):
        super().__init__(status)
        self.status, self.errors = status, list(errors)


def tree(namespace, mount):
    """The secrets of one KV v2 mount in one namespace: path -> {versions: {n: {...}}, current}."""
    return STATE['trees'].setdefault((namespace or '', mount), {})


def token_info(token):
    info = STATE['tokens'].get(token)
    if info is None:
        raise VaultError(403, 'permission denied')
    if info['expires'] is not None and time.time() >= info['expires']:
        del STATE['tokens'][token]
        raise VaultError(403, 'permission denied')
    return info


def new_token(policy, ttl, max_ttl, role=None):
    token = 'hvs.' + secrets.token_urlsafe(24)
    created = time.time()
    STATE['tokens'][token] = {
        'policy': policy, 'ttl': ttl, 'created': created, 'role': role,
        'expires': created + ttl if ttl else None,
        'max_expires': created + max_ttl if max_ttl else None}
    return token


def auth_block(token):
    info = STATE['tokens'][token]
    remaining = round(info['expires'] - time.time()) if info['expires'] else 0
    return {'client_token': token, 'accessor': uuid.uuid4().hex, 'policies': ['default', info['policy']],
            'token_policies': ['default', info['policy']], 'metadata': {'role_name': info['role'] or ''},
            'lease_duration': max(remaining, 0), 'renewable': info['expires'] is not None,
            'entity_id': '', 'token_type': 'service', 'orphan': True}


def envelope(data=None, auth=None):
    return {'request_id': str(uuid.uuid4()), 'lease_id': '', 'renewable': False, 'lease_duration': 0,
            'data': data, 'wrap_info': None, 'warnings': None, 'auth': auth}


def version_meta(v, n):
    return {'created_time': v['created_time'], 'deletion_time': v['deletion_time'],
            'destroyed': v['destroyed'], 'version': n, 'custom_metadata': None}


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def reply(self, status, body=None):
        payload = b'' if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header('Cache-Control', 'no-store')
        if body is not None:
            self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def body(self):
        length = int(self.headers.get('Content-Length') or 0)
        if not length:
            return {}
        try:
            return json.loads(self.rfile.read(length))
        except ValueError:
            raise VaultError(400, 'failed to parse JSON input')

    def handle_any(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        method = self.command
        body = self.body() if method in ('POST', 'PUT') else {}
        try:
            with LOCK:
                STATE['stats']['requests'] += 1
                status, answer = self.route(method, url.path, query, body)
        except VaultError as e:
            status, answer = e.status, {'errors': e.errors}
        self.reply(status, answer)

    do_GET = do_POST = do_PUT = do_DELETE = do_LIST = handle_any

    def route(self, method, path, query, body):
        if path == '/_test/seal':
            STATE['sealed'] = bool(body.get('sealed'))
            return 204, None
        if path == '/_test/stats':
            return 200, dict(STATE['stats'])
        if path == '/v1/sys/health':
            health = {'initialized': True, 'sealed': STATE['sealed'], 'standby': False,
                      'performance_standby': False, 'replication_performance_mode': 'disabled',
                      'replication_dr_mode': 'disabled', 'server_time_utc': int(time.time()),
                      'version': '1.15.6', 'cluster_name': 'vault-test', 'cluster_id': 'test'}
            return (503 if STATE['sealed'] else 200), health
        if STATE['sealed']:
            raise VaultError(503, 'Vault is sealed')
        if path == '/v1/auth/approle/login' and method in ('POST', 'PUT'):
            role = STATE['approles'].get(body.get('role_id'))
            if role is None or body.get('secret_id') != role['secret_id']:
                raise VaultError(400, 'invalid role or secret ID')
            STATE['stats']['login'] += 1
            token = new_token('root', role['ttl'], role['max_ttl'], role=body.get('role_id'))
            return 200, envelope(auth=auth_block(token))
        token = self.headers.get('X-Vault-Token', '')
        info = token_info(token)
        if path == '/v1/auth/token/renew-self' and method in ('POST', 'PUT'):
            if info['expires'] is None:
                raise VaultError(400, 'lease is not renewable')
            STATE['stats']['renew'] += 1
            increment = body.get('increment')
            ttl = int(str(increment).rstrip('s')) if increment else info['ttl']
            info['expires'] = min(time.time() + ttl, info['max_expires'] or float('inf'))
            answer = envelope(auth=auth_block(token))
            if info['max_expires'] and info['expires'] >= info['max_expires']:
                answer['warnings'] = ['TTL of "%ds" exceeded the effective max_ttl; TTL value is capped'
                                      % ttl]
            return 200, answer
        if path == '/v1/auth/token/lookup-self' and method == 'GET':
            ttl = int(info['expires'] - time.time()) if info['expires'] else 0
            return 200, envelope(data={'id': token, 'policies': ['default', info['policy']], 'ttl': ttl,
                                       'renewable': info['expires'] is not None,
                                       'display_name': 'approle' if info['role'] else 'token'})
        parts = path.split('/', 4)  # '', 'v1', mount, operation, secret path
        if len(parts) < 4 or parts[1] != 'v1':
            raise VaultError(404, 'no handler for route "%s"' % path.lstrip('/'))
        mount, operation = parts[2], parts[3]
        secret = parts[4].strip('/') if len(parts) > 4 else ''
        if method == 'GET' and query.get('list') == ['true']:
            method = 'LIST'
        writes = not (method in ('GET', 'LIST'))
        if writes and info['policy'] != 'root':
            raise VaultError(403, '1 error occurred:\n\t* permission denied\n\n')
        kv = tree(self.headers.get('X-Vault-Namespace'), mount)
        if mount not in ('secret', 'kv'):
            raise VaultError(404, 'no handler for route "%s". route entry not found.' % path[4:])
        return self.kv(kv, method, operation, secret, query, body)

    def kv(self, kv, method, operation, secret, query, body):
        entry = kv.get(secret)
        if operation == 'data':
            if method == 'GET':
                if entry is None:
                    raise VaultError(404)
                n = int(query.get('version', ['0'])[0]) or entry['current']
                v = entry['versions'].get(n)
                if v is None:
                    raise VaultError(404)
                data = {'data': None if v['deletion_time'] or v['destroyed'] else v['data'],
                        'metadata': version_meta(v, n)}
                return (404 if data['data'] is None else 200), envelope(data=data)
            if method in ('POST', 'PUT'):
                if not isinstance(body.get('data'), dict):
                    raise VaultError(400, 'no data provided')
                cas = (body.get('options') or {}).get('cas')
                current = entry['current'] if entry else 0
                if cas is not None and int(cas) != current:
                    raise VaultError(400, 'check-and-set parameter did not match the current version')
                if entry is None:
                    entry = kv[secret] = {'versions': {}, 'current': 0, 'created_time': now_iso()}
                n = current + 1
                entry['versions'][n] = {'data': body['data'], 'created_time': now_iso(),
                                        'deletion_time': '', 'destroyed': False}
                entry['current'] = n
                entry['updated_time'] = entry['versions'][n]['created_time']
                return 200, envelope(data=version_meta(entry['versions'][n], n))
            if method == 'DELETE':
                if entry:
                    entry['versions'][entry['current']]['deletion_time'] = now_iso()
                return 204, None
        if operation == 'metadata':
            if method == 'LIST':
                prefix = secret + '/' if secret else ''
                keys = sorted({p[len(prefix):].split('/')[0] + ('/' if '/' in p[len(prefix):] else '')
                               for p in kv if p.startswith(prefix)})
                if not keys:
                    raise VaultError(404)
                return 200, envelope(data={'keys': keys})
            if entry is None:
                raise VaultError(404)
            if method == 'GET':
                versions = {str(n): {'created_time': v['created_time'], 'deletion_time': v['deletion_time'],
                                     'destroyed': v['destroyed']} for n, v in entry['versions'].items()}
                return 200, envelope(data={
                    'cas_required': False, 'created_time': entry['created_time'],
                    'current_version': entry['current'], 'delete_version_after': '0s',
                    'max_versions': 0, 'oldest_version': min(entry['versions']),
                    'updated_time': entry['updated_time'], 'custom_metadata': None, 'versions': versions})
            if method == 'DELETE':
                del kv[secret]
                return 204, None
        if operation in ('delete', 'undelete', 'destroy') and method in ('POST', 'PUT'):
            versions = body.get('versions')
            if not versions:
                raise VaultError(400, 'no versions provided')
            for n in versions:
                v = entry['versions'].get(int(n)) if entry else None
                if v is None:
                    continue
                if operation == 'delete':
                    v['deletion_time'] = v['deletion_time'] or now_iso()
                elif operation == 'undelete' and not v['destroyed']:
                    v['deletion_time'] = ''
                elif operation == 'destroy':
                    v['destroyed'], v['data'] = True, None
            return 204, None
        raise VaultError(405)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--root-token', default='root-token')
    parser.add_argument('--reader-token', default='reader-token')
    parser.add_argument('--approle', action='append', default=[])
    parser.add_argument('--cert')
    parser.add_argument('--key')
    args = parser.parse_args()
    STATE['tokens'][args.root_token] = {'policy': 'root', 'ttl': 0, 'created': time.time(),
                                        'role': None, 'expires': None, 'max_expires': None}
    STATE['tokens'][args.reader_token] = dict(STATE['tokens'][args.root_token], policy='reader')
    for spec in args.approle:
        role_id, secret_id, ttl, max_ttl = spec.split(':')
        STATE['approles'][role_id] = {'secret_id': secret_id, 'ttl': int(ttl), 'max_ttl': int(max_ttl)}
    server = ThreadingHTTPServer(('127.0.0.1', args.port), Handler)
    server.daemon_threads = True
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print('listening on %d' % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == '__main__':
    main()
