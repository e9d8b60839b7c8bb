// A real OpenID Connect provider for the tests: panva's oidc-provider (certified by the
// OpenID Foundation), on loopback, with its development login and consent pages, which
// accept any password for a known login. Started and stopped by tests/sso/conftest.py.
//
// Environment:
//   OIDC_CLIENT_ID, OIDC_CLIENT_SECRET  the one client: the site under test
//   OIDC_REDIRECT_URIS                  its callback addresses, comma-separated
//   OIDC_USERS                          JSON: {"login": {"email": ..., "email_verified": ...}}
//
// It listens on a free port of 127.0.0.1 and prints "issuer <url>" once it serves.
import http from 'node:http';

import Provider from 'oidc-provider';

const required = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`provider.mjs: ${name} is not set`);
    process.exit(2);
  }
  return value;
};

const users = JSON.parse(required('OIDC_USERS'));

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: required('OIDC_CLIENT_ID'),
        client_secret: required('OIDC_CLIENT_SECRET'),
        redirect_uris: required('OIDC_REDIRECT_URIS').split(','),
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name'],
    },
    // Only the logins listed in OIDC_USERS exist; the development login page takes any
    // password for them.
    async findAccount(ctx, sub) {
      const user = users[sub];
      if (!user) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...user }) };
    },
    // Fixed keys keep the cookies valid across one run; nothing here is secret.
    cookies: { keys: ['tests-only-cookie-key'] },
  });
  // The development pages are what a person sees at the provider in the browser tests.
  provider.on('server_error', (ctx, error) => console.error('server_error', error));
  server.on('request', provider.callback());
  console.log(`issuer ${issuer}`);
});

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
