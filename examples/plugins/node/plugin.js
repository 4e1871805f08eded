// plugin.js: what any dsrhost plugin process does, whatever its connector:
// check the environment the daemon launched it with, generate the AutoMTLS
// server certificate, serve the connector, health, controller and stdio
// services over gRPC, print the handshake line, log JSON lines to stderr.
// Every step is described in docs/plugin-protocol.md, in this order.
'use strict';

const crypto = require('node:crypto');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const forge = require('node-forge');

// The handshake constants of sdk.Handshake and go-plugin.
const MAGIC_COOKIE_KEY = 'DSRHOST_PLUGIN_MAGIC_COOKIE';
const MAGIC_COOKIE_VALUE = 'b3c5f3a0d8e14b7c9e21f6a4c2d7e9f1';
const CORE_PROTOCOL_VERSION = 1; // go-plugin's own handshake version
const APP_PROTOCOL_VERSION = 1; // dsrhost.connector.v1

// The protos, from the repository's proto/ directory.
const PROTO_ROOT = path.join(__dirname, '..', '..', '..', 'proto');

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error'];

// log writes one hclog JSON line to stderr; the daemon shows it under the
// plugin's name at its level. @timestamp must have exactly six fractional
// digits, or the daemon logs the raw line instead.
function makeLogger() {
  const min = LEVELS.indexOf((process.env.DSRHOST_PLUGIN_LOG_LEVEL || 'trace').toLowerCase());
  const log = (level, message, fields = {}) => {
    if (LEVELS.indexOf(level) < Math.max(min, 0)) return;
    const ts = new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
    process.stderr.write(JSON.stringify({ '@level': level, '@message': message, '@timestamp': ts, ...fields }) + '\n');
  };
  return Object.fromEntries(LEVELS.map((l) => [l, (msg, fields) => log(l, msg, fields)]));
}

// fail explains why the plugin cannot run, for a person who started it by
// hand or for the daemon's log, and exits.
function fail(message) {
  process.stderr.write(`[ERROR] ${message}\n`);
  process.exit(1);
}

// checkLaunch reads what the daemon puts in the environment.
function checkLaunch() {
  if (process.env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    fail('this is a dsrhost plugin: the dsrhost daemon launches it; it is not run by hand');
  }
  const offered = (process.env.PLUGIN_PROTOCOL_VERSIONS || '').split(',').map(Number);
  if (!offered.includes(APP_PROTOCOL_VERSION)) {
    fail(`the daemon speaks connector protocol versions [${offered}], this plugin ${APP_PROTOCOL_VERSION}`);
  }
  const clientCert = process.env.PLUGIN_CLIENT_CERT;
  if (!clientCert) {
    fail('PLUGIN_CLIENT_CERT is not set: the daemon must launch plugins with AutoMTLS');
  }
  return clientCert;
}

// serverCertificate makes the self-signed certificate the plugin serves
// TLS with: a CA for itself, for DNS name "localhost", usable for server
// and client authentication, as go-plugin's own is.
function serverCertificate() {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }));
  cert.serialNumber = '01' + crypto.randomBytes(15).toString('hex');
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 30 * 1000);
  cert.validity.notAfter = new Date(now + 365 * 24 * 3600 * 1000);
  const name = [{ name: 'commonName', value: 'localhost' }, { name: 'organizationName', value: 'dsrhost plugin' }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  return { keyPem, certPem: forge.pki.certificateToPem(cert), der };
}

function loadPackage(file) {
  const def = protoLoader.loadSync(file, {
    includeDirs: [PROTO_ROOT], keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true,
  });
  return grpc.loadPackageDefinition(def);
}

// serve runs connector (an object of the six connector methods) as a
// plugin process until the daemon stops it.
function serve(connector) {
  const clientCert = checkLaunch();
  const log = makeLogger();
  const { keyPem, certPem, der } = serverCertificate();

  const connectorPkg = loadPackage('dsrhost/connector/v1/connector.proto');
  const healthPkg = loadPackage('grpc/health/v1/health.proto');
  const controllerPkg = loadPackage('plugin/grpc_controller.proto');
  const stdioPkg = loadPackage('plugin/grpc_stdio.proto');

  const server = new grpc.Server();
  server.addService(connectorPkg.dsrhost.connector.v1.ConnectorService.service, unary(connector, log));
  server.addService(healthPkg.grpc.health.v1.Health.service, {
    // go-plugin checks the service named "plugin".
    check: (call, cb) => cb(null, { status: 'SERVING' }),
  });
  server.addService(controllerPkg.plugin.GRPCController.service, {
    shutdown: (call, cb) => {
      cb(null, {});
      log.debug('shutdown requested by the daemon');
      setImmediate(() => server.tryShutdown(() => process.exit(0)));
    },
  });
  server.addService(stdioPkg.plugin.GRPCStdio.service, {
    // This plugin writes its output to stderr itself; the stream stays open
    // and empty until the daemon hangs up.
    streamStdio: (call) => call.on('cancelled', () => call.end()),
  });

  // The daemon's certificate is the only CA: no other client can connect.
  const creds = grpc.ServerCredentials.createSsl(Buffer.from(clientCert),
    [{ private_key: Buffer.from(keyPem), cert_chain: Buffer.from(certPem) }], true);
  server.bindAsync('127.0.0.1:0', creds, (err, port) => {
    if (err) fail(`listen: ${err.message}`);
    const cert = der.toString('base64').replace(/=+$/, '');
    // The handshake line: core version|app version|network|address|protocol|server certificate.
    process.stdout.write(`${CORE_PROTOCOL_VERSION}|${APP_PROTOCOL_VERSION}|tcp|127.0.0.1:${port}|grpc|${cert}\n`);
    log.info('serving', { port });
  });

  // A daemon killed with SIGKILL cannot stop its plugins: exit when the
  // parent is gone.
  const parent = process.ppid;
  setInterval(() => { if (process.ppid !== parent) process.exit(0); }, 1000).unref();
  process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
}

// unary adapts async connector methods to grpc-js handlers: a thrown error
// is an internal error in the response's error arm, with no text from it
// (it may quote personal data).
function unary(connector, log) {
  const handlers = {};
  for (const [method, fn] of Object.entries(connector)) {
    handlers[method] = (call, callback) => {
      Promise.resolve().then(() => fn(call.request, log)).then(
        (resp) => callback(null, resp),
        (err) => {
          log.error('connector method failed', { method, error_name: err && err.name });
          const error = { type: 'ERROR_TYPE_INTERNAL', message: `the connector failed in ${method}`, retryable: false };
          if (method === 'describe') {
            callback({ code: grpc.status.INTERNAL, details: error.message });
          } else if (method === 'configure') {
            callback(null, { diagnostics: [{ severity: 'SEVERITY_ERROR', summary: error.message, error }] });
          } else {
            callback(null, { error });
          }
        });
    };
  }
  return handlers;
}

module.exports = { serve };
