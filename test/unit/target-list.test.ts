import { isLockedDown } from '../../domain/accounts';
import { matchEntries, parsePastedTargets, parseTargetCsv } from '../../domain/target-list';

describe('parseTargetCsv: the file the CLI reads and the console uploads', () => {
  it('when a CSV has a header, comments, blank lines, quotes and duplicates, then it gives the first column once each, in order', () => {
    expect(parseTargetCsv('\uFEFFemail,team\n# from the SIEM\nb@x.test,red\n\n"a@x.test",blue\nb@x.test,again\n')).toEqual(['b@x.test', 'a@x.test']);
    expect(parseTargetCsv('alice\nbob\n')).toEqual(['alice', 'bob']);
  });

  it('when a quote is never closed, then it throws', () => {
    expect(() => parseTargetCsv('"alice\nbob')).toThrow();
  });
});

describe('parsePastedTargets: a list pasted from a ticket, a chat or a mail client', () => {
  it('when entries are separated by lines, commas, semicolons or spaces, then each is one entry; Name <address> is the address', () => {
    expect(parsePastedTargets('alice, bob;carol dave\n"Eve E" <eve@x.test>; \'frank\'\n# not me\nalice')).toEqual(['alice', 'bob', 'carol', 'dave', 'eve@x.test', 'frank']);
  });
});

describe('matchEntries: which user an entry names', () => {
  const users = [
    { id: '11111111-1111-4111-8111-111111111111', username: 'Alice', email: 'alice@x.test' },
    { id: '22222222-2222-4222-8222-222222222222', username: 'alice', email: 'shared@x.test' },
    { id: '33333333-3333-4333-8333-333333333333', username: 'bob@x.test', email: 'shared@x.test' },
    { id: '44444444-4444-4444-8444-444444444444', username: 'carol', email: 'bob@x.test' },
  ];
  const named = (entry: string) => {
    const [match] = matchEntries([entry], users);
    return match.user ? match.user.username : `none (${match.ambiguous})`;
  };

  it('when an entry is an id, the exact username, or one username or email in any case, then it names that user', () => {
    expect(named('44444444-4444-4444-8444-444444444444')).toBe('carol');
    expect(named('alice')).toBe('alice');
    expect(named('Alice')).toBe('Alice');
    expect(named('CAROL')).toBe('carol');
    expect(named('ALICE@x.test')).toBe('Alice');
  });

  it('when a username looks like another user’s email, then the username wins', () => {
    expect(named('bob@x.test')).toBe('bob@x.test');
  });

  it('when an entry names several users at its best tier, then it is ambiguous; none, then unmatched', () => {
    expect(named('ALICE')).toBe('none (2)');
    expect(named('shared@x.test')).toBe('none (2)');
    expect(named('nobody')).toBe('none (0)');
  });
});

describe('isLockedDown: a lockdown would change nothing', () => {
  const locked = { isActive: false, hasUsablePassword: false, sessions: 0, tokens: 0 };
  it('when inactive, without a usable password, session or token, then locked down; any one of them left, then not', () => {
    expect(isLockedDown(locked)).toBe(true);
    expect(isLockedDown({ ...locked, isActive: true })).toBe(false);
    expect(isLockedDown({ ...locked, hasUsablePassword: true })).toBe(false);
    expect(isLockedDown({ ...locked, sessions: 1 })).toBe(false);
    expect(isLockedDown({ ...locked, tokens: 1 })).toBe(false);
  });
});
