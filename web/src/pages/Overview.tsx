import { Card, CardBody, CardTitle, Gallery, PageSection, Title } from '@patternfly/react-core';
import { Link } from 'react-router';
import { useCapabilities, useMe } from '../session';

/** Where the console starts: what this person can do here. */
export function OverviewPage() {
  const me = useMe().data;
  const can = useCapabilities().data;
  const cards = [
    can?.listUsers && {
      to: '/users',
      title: 'Directory › Users',
      body: can.changeUser
        ? 'Find users, lock one or many compromised accounts, and restore access afterwards.'
        : 'The users you manage: lock one or several of them, and restore access afterwards.',
    },
    can?.listLockdowns && { to: '/lockdowns', title: 'Lockdowns', body: 'Every lockdown with its status, reason, progress, per-user results and workflow history.' },
    can?.viewAudit && { to: '/events', title: 'Events', body: 'The audit log: who locked whom, when, from where and why.' },
    { to: '/notifications', title: 'Notifications', body: 'Alerts sent to you, e.g. when an account is locked.' },
    can?.configure && { to: '/configuration', title: 'Configuration', body: 'The brand’s lockdown flow, the stage’s actions, prompts and notification rules.' },
    { to: '/settings', title: 'Settings', body: 'Your account, and Account Lockdown if you believe it has been compromised.' },
  ].filter(Boolean) as { to: string; title: string; body: string }[];
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Welcome, {me?.name || me?.username}</Title>
        <p>Account Lockdown secures an account in an emergency: it deactivates the user, invalidates the password, ends every session and revokes every token.</p>
      </PageSection>
      <PageSection>
        <Gallery hasGutter minWidths={{ default: '16rem' }}>
          {cards.map((card) => (
            <Card key={card.to} isFullHeight>
              <CardTitle component="h2">
                <Link to={card.to}>{card.title}</Link>
              </CardTitle>
              <CardBody>{card.body}</CardBody>
            </Card>
          ))}
        </Gallery>
      </PageSection>
    </>
  );
}
