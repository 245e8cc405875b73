import { needsApproval } from '../../domain/approval';
import { csvCell, csvRow } from '../../lib/csv';

describe('needsApproval: the threshold counts a requester’s users over the window', () => {
  const base = { stageRequiresApproval: true, selfService: false, threshold: 100 };

  it('when a request alone is over the threshold, then it waits; at the threshold, not', () => {
    expect(needsApproval({ ...base, targetCount: 101, earlierTargetCount: 0 })).toBe(true);
    expect(needsApproval({ ...base, targetCount: 100, earlierTargetCount: 0 })).toBe(false);
  });

  it('when earlier requests in the window take this one over the threshold, then it waits, even for one user', () => {
    expect(needsApproval({ ...base, targetCount: 1, earlierTargetCount: 100 })).toBe(true);
    expect(needsApproval({ ...base, targetCount: 50, earlierTargetCount: 50 })).toBe(false);
  });

  it('when self-service, or the stage does not require approval, then it never waits', () => {
    expect(needsApproval({ ...base, selfService: true, targetCount: 500, earlierTargetCount: 500 })).toBe(false);
    expect(needsApproval({ ...base, stageRequiresApproval: false, targetCount: 500, earlierTargetCount: 0 })).toBe(false);
  });
});

describe('CSV cells: no spreadsheet formulas (OWASP CSV injection)', () => {
  it('when text starts with =, +, -, @, a tab or a carriage return, then it is prefixed with a quote', () => {
    for (const text of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) expect(csvCell(text)).toBe(`'${text}`);
  });

  it('when text is ordinary, a number, a boolean or empty, then it is written as it is', () => {
    expect([csvCell('alice'), csvCell(-3), csvCell(true), csvCell(null), csvCell(undefined), csvCell('a=b')]).toEqual(['alice', '-3', 'true', '', '', 'a=b']);
  });

  it('when a cell holds a separator or a quote, then the row quotes it', () => {
    expect(csvRow(['=HYPERLINK("x")', 'a,b', { n: 1 }])).toBe('"\'=HYPERLINK(""x"")","a,b","{""n"":1}"\n');
  });
});
