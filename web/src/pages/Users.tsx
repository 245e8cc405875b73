import {
  Alert,
  AlertActionCloseButton,
  Button,
  Flex,
  Form,
  Label,
  LabelGroup,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  PageSection,
  SearchInput,
  TextArea,
  Title,
  ToggleGroup,
  ToggleGroupItem,
  Toolbar,
  ToolbarContent,
  ToolbarGroup,
  ToolbarItem,
} from '@patternfly/react-core';
import { FileImportIcon, LockIcon, PasteIcon } from '@patternfly/react-icons';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useRef, useState, type ChangeEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { api, query } from '../api';
import { CursorPager, useCursorPages } from '../components/CursorPager';
import { ErrorAlert } from '../components/ErrorAlert';
import { Field } from '../components/FormField';
import { UserStatusLabel } from '../components/UserStatusLabel';
import { LockdownPreviewModal } from '../components/LockdownPreviewModal';
import { PasswordLockedLabel } from '../components/PasswordLock';
import { Loading } from '../session';
import type { DirectoryUser, LockdownPreviewRequest, UserPage } from '../types';

const PAGE_SIZE = 20;
/** The API takes bodies up to 1 MB; a list or file larger than this cannot be sent whole. */
const MAX_LIST_CHARACTERS = 900_000;

type Status = 'all' | 'active' | 'inactive';
const isActiveOf = (status: Status) => (status === 'all' ? undefined : status === 'active');

/**
 * What is selected, in any mix: rows picked one by one, every user matching a filter (on every
 * page, resolved by the server), a pasted list and an uploaded file. The server's preview turns
 * it into who will be locked.
 */
interface Selection {
  rows: Map<string, string>;
  filter: { search: string; status: Status; total: number } | null;
  pasted: string | null;
  file: { name: string; text: string } | null;
}
const NOTHING: Selection = { rows: new Map(), filter: null, pasted: null, file: null };
const isEmpty = (selection: Selection) => selection.rows.size === 0 && !selection.filter && !selection.pasted && !selection.file;

function previewRequest(selection: Selection): LockdownPreviewRequest {
  return {
    ...(selection.rows.size ? { users: [...selection.rows.keys()] } : {}),
    ...(selection.filter ? { filter: { ...(selection.filter.search ? { search: selection.filter.search } : {}), ...(selection.filter.status === 'all' ? {} : { isActive: selection.filter.status === 'active' }) } } : {}),
    ...(selection.pasted ? { pasted: selection.pasted } : {}),
    ...(selection.file ? { csv: selection.file.text } : {}),
  };
}

function describeFilter(filter: NonNullable<Selection['filter']>) {
  const which = filter.status === 'all' ? 'users' : `${filter.status} users`;
  return `All ${filter.total.toLocaleString()} ${which}${filter.search ? ` matching “${filter.search}”` : ''}`;
}

/** Directory › Users: search, filter by status, select (rows, all matching, a pasted list, a CSV file), preview, lock. */
export function UsersPage() {
  const [search, setSearch] = useState('');
  const [submitted, setSubmitted] = useState('');
  const [status, setStatus] = useState<Status>('all');
  const [selection, setSelection] = useState<Selection>(NOTHING);
  const [pasteOpen, setPasteOpen] = useState(false);
  const [previewing, setPreviewing] = useState<LockdownPreviewRequest | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const pages = useCursorPages();
  const location = useLocation();
  const navigate = useNavigate();
  // Set by the user page after DELETE /users/:id answered 204.
  const deleted = (location.state as { deleted?: string } | null)?.deleted;
  const users = useQuery({
    queryKey: ['users', submitted, status, pages.cursor],
    queryFn: () => api.get<UserPage>(`/users${query({ search: submitted, isActive: isActiveOf(status), limit: PAGE_SIZE, cursor: pages.cursor })}`),
    placeholderData: keepPreviousData,
  });
  const items = users.data?.items ?? [];
  const total = users.data?.total ?? 0;
  const selectable = (user: DirectoryUser) => !user.isProtected && !user.isLockedDown;
  const selectableOnPage = items.filter(selectable);
  const allMatching = selection.filter !== null;
  const allOnPage = selectableOnPage.length > 0 && selectableOnPage.every((user) => selection.rows.has(user.id));
  const firstOnPage = (pages.page - 1) * PAGE_SIZE + 1;

  function toggle(rows: DirectoryUser[], on: boolean) {
    setSelection((old) => {
      const next = new Map(old.rows);
      for (const user of rows) {
        if (on) next.set(user.id, user.username);
        else next.delete(user.id);
      }
      return { ...old, rows: next };
    });
  }
  const filter = (value: string) => {
    setSubmitted(value.trim());
    pages.reset();
  };
  /** Adds to the selection and opens the preview of all of it. */
  function addAndPreview(change: Partial<Selection>) {
    const next = { ...selection, ...change };
    setSelection(next);
    setPreviewing(previewRequest(next));
  }
  async function readFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    setFileError(null);
    const text = await file.text();
    if (text.length > MAX_LIST_CHARACTERS) return setFileError(`${file.name} is larger than ${MAX_LIST_CHARACTERS.toLocaleString()} characters: split it.`);
    addAndPreview({ file: { name: file.name, text } });
  }

  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Users</Title>
        <p>
          Find the accounts to lock: select rows, all users matching the search, paste usernames or emails, or upload the CSV file the CLI reads. Account Lockdown first shows who
          will be locked and who cannot be.
        </p>
      </PageSection>
      <PageSection>
        {deleted && (
          <Alert
            variant="success"
            isInline
            title={`${deleted} was deleted.`}
            actionClose={<AlertActionCloseButton onClose={() => navigate('.', { replace: true, state: null })} />}
            style={{ marginBottom: '1rem' }}
          >
            Every session was ended and every token revoked before the account was deleted; the audit events stay.
          </Alert>
        )}
        <Toolbar>
          <ToolbarContent>
            <ToolbarItem>
              <SearchInput
                aria-label="Search users by username, name or email"
                placeholder="Search by username, name or email"
                value={search}
                onChange={(_event, value) => setSearch(value)}
                onSearch={(_event, value) => filter(value)}
                onClear={() => {
                  setSearch('');
                  filter('');
                }}
              />
            </ToolbarItem>
            <ToolbarItem>
              <ToggleGroup aria-label="Status">
                {(['all', 'active', 'inactive'] as const).map((value) => (
                  <ToggleGroupItem
                    key={value}
                    text={value[0].toUpperCase() + value.slice(1)}
                    isSelected={status === value}
                    onChange={() => {
                      setStatus(value);
                      pages.reset();
                    }}
                  />
                ))}
              </ToggleGroup>
            </ToolbarItem>
            <ToolbarGroup>
              <ToolbarItem>
                <Button variant="secondary" icon={<PasteIcon />} onClick={() => setPasteOpen(true)}>
                  Paste list
                </Button>
              </ToolbarItem>
              <ToolbarItem>
                <Button variant="secondary" icon={<FileImportIcon />} onClick={() => fileInput.current?.click()}>
                  Upload CSV
                </Button>
                <input ref={fileInput} type="file" accept=".csv,.txt,text/csv,text/plain" aria-label="CSV file of users to lock" hidden onChange={readFile} />
              </ToolbarItem>
              <ToolbarItem>
                <Button variant="danger" icon={<LockIcon />} isDisabled={isEmpty(selection)} onClick={() => setPreviewing(previewRequest(selection))}>
                  Account Lockdown
                </Button>
              </ToolbarItem>
            </ToolbarGroup>
            <ToolbarItem align={{ default: 'alignEnd' }}>
              <CursorPager
                pages={pages}
                nextCursor={users.data?.nextCursor}
                label="Users"
                summary={users.data ? (items.length ? `${firstOnPage.toLocaleString()}–${(firstOnPage + items.length - 1).toLocaleString()} of ${total.toLocaleString()}` : `0 of ${total}`) : '…'}
              />
            </ToolbarItem>
          </ToolbarContent>
        </Toolbar>
        {fileError && <Alert variant="danger" isInline title={fileError} />}
        <SelectionBar
          selection={selection}
          offerAllMatching={allOnPage && !allMatching && total > selectableOnPage.length}
          total={total}
          onAllMatching={() => setSelection((old) => ({ ...old, rows: new Map(), filter: { search: submitted, status, total } }))}
          onChange={setSelection}
        />
        <ErrorAlert error={users.error} title="Users cannot be listed" />
        {users.isPending ? (
          <Loading />
        ) : (
          <Table aria-label="Users" variant="compact">
            <Thead>
              <Tr>
                <Th
                  aria-label="Select"
                  select={{
                    onSelect: (_event, on) => toggle(selectableOnPage, on),
                    isSelected: allMatching || allOnPage,
                    isDisabled: allMatching || selectableOnPage.length === 0,
                  }}
                />
                <Th>Username</Th>
                <Th>Name</Th>
                <Th>Email</Th>
                <Th>Type</Th>
                <Th>Status</Th>
              </Tr>
            </Thead>
            <Tbody>
              {items.map((user, index) => (
                <Tr key={user.id}>
                  <Td
                    select={{
                      rowIndex: index,
                      onSelect: (_event, on) => toggle([user], on),
                      isSelected: selection.rows.has(user.id) || (allMatching && selectable(user)),
                      isDisabled: allMatching || !selectable(user),
                    }}
                  />
                  <Td dataLabel="Username">
                    <Link to={`/users/${user.id}`}>{user.username}</Link>{' '}
                    {user.isSuperuser && (
                      <Label isCompact color="purple">
                        Superuser
                      </Label>
                    )}{' '}
                    {user.isProtected && <Label isCompact>Protected</Label>}
                  </Td>
                  <Td dataLabel="Name">{user.name}</Td>
                  <Td dataLabel="Email">{user.email}</Td>
                  <Td dataLabel="Type">{user.type.replaceAll('_', ' ')}</Td>
                  <Td dataLabel="Status">
                    <UserStatusLabel user={user} /> <PasswordLockedLabel user={user} />
                  </Td>
                </Tr>
              ))}
              {items.length === 0 && (
                <Tr>
                  <Td colSpan={6}>No users match.</Td>
                </Tr>
              )}
            </Tbody>
          </Table>
        )}
      </PageSection>
      {pasteOpen && (
        <PasteListModal
          initial={selection.pasted ?? ''}
          onClose={() => setPasteOpen(false)}
          onPreview={(text) => {
            setPasteOpen(false);
            addAndPreview({ pasted: text });
          }}
        />
      )}
      {previewing && <LockdownPreviewModal request={previewing} onClose={() => setPreviewing(null)} />}
    </>
  );
}

/** What is selected, each part removable; and, once a whole page is picked, the offer to take every match. */
function SelectionBar({
  selection,
  offerAllMatching,
  total,
  onAllMatching,
  onChange,
}: {
  selection: Selection;
  offerAllMatching: boolean;
  total: number;
  onAllMatching: () => void;
  onChange: (selection: Selection) => void;
}) {
  if (isEmpty(selection)) return null;
  const parts: { key: string; text: string; remove: () => void }[] = [];
  if (selection.filter) parts.push({ key: 'filter', text: describeFilter(selection.filter), remove: () => onChange({ ...selection, filter: null }) });
  if (selection.rows.size) parts.push({ key: 'rows', text: `${selection.rows.size.toLocaleString()} selected`, remove: () => onChange({ ...selection, rows: new Map() }) });
  if (selection.pasted) parts.push({ key: 'pasted', text: 'Pasted list', remove: () => onChange({ ...selection, pasted: null }) });
  if (selection.file) parts.push({ key: 'file', text: `File ${selection.file.name}`, remove: () => onChange({ ...selection, file: null }) });
  return (
    <Flex
      data-testid="selection"
      aria-live="polite"
      alignItems={{ default: 'alignItemsCenter' }}
      spaceItems={{ default: 'spaceItemsMd' }}
      style={{ padding: 'var(--pf-t--global--spacer--sm) 0' }}
    >
      <span>Selection:</span>
      <LabelGroup numLabels={4} aria-label="Selection">
        {parts.map((part) => (
          <Label key={part.key} color="blue" onClose={part.remove} closeBtnAriaLabel={`Remove ${part.text}`}>
            {part.text}
          </Label>
        ))}
      </LabelGroup>
      {offerAllMatching && (
        <Button variant="link" isInline onClick={onAllMatching}>
          Select all {total.toLocaleString()} users matching this filter
        </Button>
      )}
      <Button variant="link" isInline onClick={() => onChange(NOTHING)}>
        Clear selection
      </Button>
    </Flex>
  );
}

/** Usernames, emails or ids pasted from a ticket, a chat or a spreadsheet; the server parses them. */
function PasteListModal({ initial, onClose, onPreview }: { initial: string; onClose: () => void; onPreview: (text: string) => void }) {
  const [text, setText] = useState(initial);
  const tooLong = text.length > MAX_LIST_CHARACTERS;
  return (
    <Modal isOpen variant="medium" onClose={onClose} aria-labelledby="paste-title">
      <ModalHeader title="Paste usernames or emails" labelId="paste-title" />
      <ModalBody>
        <Form
          id="paste-list"
          onSubmit={(event) => {
            event.preventDefault();
            if (text.trim() && !tooLong) onPreview(text);
          }}
        >
          <Field
            label="Users"
            id="paste-users"
            error={tooLong ? `At most ${MAX_LIST_CHARACTERS.toLocaleString()} characters.` : undefined}
            helper="One a line, or separated by commas, semicolons or spaces. Usernames, emails (also as Name <address>) or user ids."
          >
            <TextArea id="paste-users" value={text} onChange={(_event, value) => setText(value)} rows={10} resizeOrientation="vertical" autoFocus />
          </Field>
        </Form>
      </ModalBody>
      <ModalFooter>
        <Button type="submit" form="paste-list" isDisabled={!text.trim() || tooLong}>
          Add and preview
        </Button>
        <Button variant="link" onClick={onClose}>
          Cancel
        </Button>
      </ModalFooter>
    </Modal>
  );
}
