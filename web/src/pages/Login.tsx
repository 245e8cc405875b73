import { Alert, LoginForm, LoginPage as PfLoginPage } from '@patternfly/react-core';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { api, ApiError, forgetCsrfToken } from '../api';
import { useMe } from '../session';
import type { LoginResponse } from '../types';

// The masthead mark: a padlock and the product's name, drawn inline (no request, allowed by the page's CSP).
const BRAND =
  'data:image/svg+xml;utf8,' +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" width="260" height="40" viewBox="0 0 260 40"><rect x="4" y="16" width="22" height="18" rx="3" fill="#c9190b"/><path d="M9 16v-5a6 6 0 0 1 12 0v5" stroke="#c9190b" stroke-width="3" fill="none"/><circle cx="15" cy="25" r="2.5" fill="#fff"/><text x="36" y="29" font-family="Red Hat Display, sans-serif" font-size="20" font-weight="600" fill="#8a8d90">Account Lockdown</text></svg>',
  );

/** One message for every failed login: a locked-out user learns nothing more than a mistyped password. */
export function LoginPage() {
  const location = useLocation();
  const state = (location.state ?? {}) as { from?: string; expired?: boolean; notice?: string };
  const from = state.from && state.from.startsWith('/') && !state.from.startsWith('/login') ? state.from : '/';
  const navigate = useNavigate();
  const client = useQueryClient();
  const me = useMe();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.title = 'Log in · Account Lockdown';
    document.getElementById('pf-login-username-id')?.focus();
  }, []);

  if (me.data) return <Navigate to={from} replace />;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { user } = await api.postAnonymous<LoginResponse>('/auth/login', { username, password });
      forgetCsrfToken();
      client.clear();
      client.setQueryData(['me'], user);
      navigate(from, { replace: true });
    } catch (err) {
      setError(err instanceof ApiError && err.status === 400 ? 'Enter your username and password.' : err instanceof Error ? err.message : 'Login failed.');
      setPassword('');
    } finally {
      setBusy(false);
    }
  }

  return (
    <PfLoginPage
      brandImgSrc={BRAND}
      brandImgAlt="Account Lockdown"
      loginTitle="Log in to Account Lockdown"
      loginSubtitle="Security console for locking compromised accounts"
      textContent="When an account is suspected compromised, lock it down: deactivate it, invalidate its password, end every session and revoke every token — for one user or thousands, with a full audit trail."
      forgotCredentials={<span>Locked out? Contact your IT administrator or security team.</span>}
    >
      {state.expired && !error && <Alert variant="warning" isInline isPlain title="Your session has ended. Log in again." style={{ marginBottom: '1rem' }} />}
      {state.notice && !error && <Alert variant="success" isInline isPlain title={state.notice} style={{ marginBottom: '1rem' }} />}
      <LoginForm
        showHelperText={Boolean(error)}
        helperText={error}
        helperTextIcon={undefined}
        usernameLabel="Username"
        usernameValue={username}
        onChangeUsername={(_event, value) => setUsername(value)}
        isValidUsername={!error}
        passwordLabel="Password"
        passwordValue={password}
        onChangePassword={(_event, value) => setPassword(value)}
        isValidPassword={!error}
        isShowPasswordEnabled
        loginButtonLabel={busy ? 'Logging in…' : 'Log in'}
        isLoginButtonDisabled={busy}
        onLoginButtonClick={submit}
      />
    </PfLoginPage>
  );
}
