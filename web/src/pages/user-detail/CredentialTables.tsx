import { Card, CardBody, CardTitle } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { formatTime } from '../../components/Labels';
import { useLiveCredentials } from './credentials';

/** The user's sessions that still work. */
export function SessionsCard({ userId }: { userId: string }) {
  const sessions = useLiveCredentials(userId).sessions ?? [];
  return (
    <Card>
      <CardTitle component="h2">Sessions</CardTitle>
      <CardBody>
        <Table aria-label="Sessions" variant="compact">
          <Thead>
            <Tr>
              <Th>Started</Th>
              <Th>Expires</Th>
              <Th>Address</Th>
            </Tr>
          </Thead>
          <Tbody>
            {sessions.map((session) => (
              <Tr key={session.id}>
                <Td dataLabel="Started">{formatTime(session.createdAt)}</Td>
                <Td dataLabel="Expires">{formatTime(session.expiresAt)}</Td>
                <Td dataLabel="Address">{session.lastIp ?? '—'}</Td>
              </Tr>
            ))}
            {sessions.length === 0 && (
              <Tr>
                <Td colSpan={3}>No active sessions.</Td>
              </Tr>
            )}
          </Tbody>
        </Table>
      </CardBody>
    </Card>
  );
}

/** The user's tokens that still work. */
export function TokensCard({ userId }: { userId: string }) {
  const tokens = useLiveCredentials(userId).tokens ?? [];
  return (
    <Card>
      <CardTitle component="h2">Tokens</CardTitle>
      <CardBody>
        <Table aria-label="Tokens" variant="compact">
          <Thead>
            <Tr>
              <Th>Identifier</Th>
              <Th>Intent</Th>
              <Th>Expires</Th>
            </Tr>
          </Thead>
          <Tbody>
            {tokens.map((token) => (
              <Tr key={token.id}>
                <Td dataLabel="Identifier">{token.identifier}</Td>
                <Td dataLabel="Intent">{token.intent.replace('_', ' ')}</Td>
                <Td dataLabel="Expires">{token.expiresAt ? formatTime(token.expiresAt) : 'never'}</Td>
              </Tr>
            ))}
            {tokens.length === 0 && (
              <Tr>
                <Td colSpan={3}>No active tokens.</Td>
              </Tr>
            )}
          </Tbody>
        </Table>
      </CardBody>
    </Card>
  );
}
