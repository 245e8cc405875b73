import { Alert, Button, Card, CardBody, CardTitle, Form, GridItem, Modal, ModalBody, ModalFooter, ModalHeader, TextInput } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import type { z } from 'zod';
import type * as schemas from '../../../api/schemas/connectors';
import { api } from '../api';
import { useCapabilities } from '../session';
import { ErrorAlert } from './ErrorAlert';
import { Field } from './FormField';
import { formatTime } from './Labels';

type DownstreamAccount = z.infer<typeof schemas.DownstreamAccount>;
type Enabled = z.infer<typeof schemas.DownstreamEnabled>;

/**
 * Restore access, downstream: the accounts lockdowns disabled in Keycloak or SCIM applications
 * and nobody enabled since. Each is enabled only when asked, one at a time, with a confirmation
 * (activating the account here enables nothing there). The API says who may (as for activate).
 */
export function DownstreamRestore({ userId }: { userId: string }) {
  const client = useQueryClient();
  const accounts = useQuery({ queryKey: ['user', userId, 'downstream'], queryFn: () => api.get<{ items: DownstreamAccount[] }>(`/users/${userId}/downstream`), retry: false });
  const mayEnable = useCapabilities(userId).data?.user?.activate ?? false;
  const [confirming, setConfirming] = useState<DownstreamAccount | null>(null);
  const [enabled, setEnabled] = useState<Enabled | null>(null);
  const items = accounts.data?.items ?? [];
  if (items.length === 0 && !enabled) return null;

  return (
    <GridItem md={12}>
      <Card>
        <CardTitle component="h2">Downstream accounts</CardTitle>
        <CardBody>
          <p>Lockdowns disabled this user’s accounts in these systems. Activating the user here does not enable them: enable each one that should work again.</p>
          {enabled && <Alert variant="success" isInline isPlain title={`Enabled in ${enabled.connector}. Sessions and grants the lockdown ended stay ended.`} data-testid="downstream-enabled" />}
          <Table aria-label="Downstream accounts" variant="compact">
            <Thead>
              <Tr>
                <Th>System</Th>
                <Th>Account</Th>
                <Th>Disabled</Th>
                <Th>By lockdown</Th>
                <Th screenReaderText="Restore" />
              </Tr>
            </Thead>
            <Tbody>
              {items.map((account) => (
                <Tr key={account.connectorId ?? account.connector}>
                  <Td dataLabel="System">
                    {account.connector} ({account.kind === 'keycloak' ? 'Keycloak' : 'SCIM'})
                  </Td>
                  <Td dataLabel="Account">{account.remoteAccountId ?? '—'}</Td>
                  <Td dataLabel="Disabled">{account.disabledAt ? formatTime(account.disabledAt) : '—'}</Td>
                  <Td dataLabel="By lockdown">
                    <Link to={`/lockdowns/${account.lockdownId}`}>{account.lockdownId.slice(0, 8)}</Link>
                  </Td>
                  <Td dataLabel="Restore">
                    {account.mayEnable && mayEnable ? (
                      <Button variant="secondary" size="sm" onClick={() => setConfirming(account)}>
                        Enable in {account.connector}
                      </Button>
                    ) : (
                      account.note
                    )}
                  </Td>
                </Tr>
              ))}
            </Tbody>
          </Table>
        </CardBody>
      </Card>
      {confirming && (
        <EnableModal
          userId={userId}
          account={confirming}
          onClose={() => setConfirming(null)}
          onDone={(result) => {
            setConfirming(null);
            setEnabled(result);
            void client.invalidateQueries({ queryKey: ['user', userId, 'downstream'] });
          }}
        />
      )}
    </GridItem>
  );
}

function EnableModal({ userId, account, onClose, onDone }: { userId: string; account: DownstreamAccount; onClose: () => void; onDone: (result: Enabled) => void }) {
  const [reason, setReason] = useState('');
  const enable = useMutation({ mutationFn: () => api.post<Enabled>(`/users/${userId}/downstream/${account.connectorId}/enable`, reason ? { reason } : {}), onSuccess: onDone });
  return (
    <Modal isOpen variant="small" onClose={onClose} aria-labelledby="downstream-enable-title">
      <ModalHeader title={`Enable the account in ${account.connector}?`} labelId="downstream-enable-title" />
      <ModalBody>
        <p>The user can log in there again with their credentials of that system. This is written to the audit log.</p>
        <Form
          id="downstream-enable"
          onSubmit={(event) => {
            event.preventDefault();
            enable.mutate();
          }}
        >
          <Field label="Reason" id="downstream-enable-reason" helper="Optional; recorded in the audit event.">
            <TextInput id="downstream-enable-reason" value={reason} onChange={(_event, value) => setReason(value)} />
          </Field>
        </Form>
        <ErrorAlert error={enable.error} title="The account was not enabled" />
      </ModalBody>
      <ModalFooter>
        <Button type="submit" form="downstream-enable" isLoading={enable.isPending}>
          Enable
        </Button>
        <Button variant="link" onClick={onClose}>
          Cancel
        </Button>
      </ModalFooter>
    </Modal>
  );
}
