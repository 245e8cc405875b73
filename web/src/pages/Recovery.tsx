import { ActionGroup, Alert, Button, Card, CardBody, CardTitle, Form, FormGroup, FormHelperText, HelperText, HelperTextItem, TextInput, Title } from '@patternfly/react-core';
import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, ApiError } from '../api';

/** The page a recovery link opens. The token travels in the URL fragment, so it never reaches server logs or referrers. */
export function RecoveryPage() {
  const token = new URLSearchParams(window.location.hash.slice(1)).get('token');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(token ? null : 'This link is incomplete. Ask your administrator for a new recovery link.');
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = 'Choose a new password · Account Lockdown';
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (password !== confirm) return setError('The two passwords differ.');
    setBusy(true);
    try {
      await api.postAnonymous('/auth/recovery', { token, password });
      setDone(true);
      setError(null);
    } catch (err) {
      setError(err instanceof ApiError ? err.fieldErrors().password ?? err.message : 'Something went wrong. Try again or ask your administrator.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="standalone" id="main-content">
      <Card>
        <CardTitle>
          <Title headingLevel="h1" size="xl">
            Choose a new password
          </Title>
        </CardTitle>
        <CardBody>
          {done ? (
            <Alert variant="success" isInline title="Your password is set.">
              Once an administrator has re-activated your account you can <Link to="/login">log in</Link>. Re-enrol your MFA devices after logging in.
            </Alert>
          ) : (
            <Form onSubmit={submit}>
              <p>This link works once. After you set a password, an administrator must re-activate your account if it was locked.</p>
              <FormGroup label="New password" isRequired fieldId="recovery-password">
                <TextInput id="recovery-password" type="password" autoComplete="new-password" value={password} onChange={(_event, value) => setPassword(value)} isRequired />
              </FormGroup>
              <FormGroup label="Repeat it" isRequired fieldId="recovery-confirm">
                <TextInput id="recovery-confirm" type="password" autoComplete="new-password" value={confirm} onChange={(_event, value) => setConfirm(value)} isRequired validated={error ? 'error' : 'default'} />
                <FormHelperText>
                  <HelperText>
                    <HelperTextItem variant={error ? 'error' : 'default'}>{error ?? 'At least 8 characters.'}</HelperTextItem>
                  </HelperText>
                </FormHelperText>
              </FormGroup>
              <ActionGroup>
                <Button type="submit" isLoading={busy} isDisabled={busy || !token}>
                  Set password
                </Button>
              </ActionGroup>
            </Form>
          )}
        </CardBody>
      </Card>
    </main>
  );
}
