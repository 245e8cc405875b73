import { Button, Flex, FlexItem } from '@patternfly/react-core';
import { AngleLeftIcon, AngleRightIcon } from '@patternfly/react-icons';
import { useState } from 'react';

/** Cursor paging as the API pages: a stack of the cursors that led to each page. */
export function useCursorPages() {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  return {
    cursor: cursors[cursors.length - 1],
    page: cursors.length,
    next: (cursor: string) => setCursors((old) => [...old, cursor]),
    previous: () => setCursors((old) => (old.length > 1 ? old.slice(0, -1) : old)),
    reset: () => setCursors([undefined]),
  };
}

export function CursorPager({
  pages,
  nextCursor,
  label,
  summary,
}: {
  pages: ReturnType<typeof useCursorPages>;
  nextCursor: string | null | undefined;
  label: string;
  summary?: string;
}) {
  return (
    <Flex component="nav" aria-label={`${label} pages`} alignItems={{ default: 'alignItemsCenter' }} justifyContent={{ default: 'justifyContentFlexEnd' }}>
      <FlexItem>
        <span aria-live="polite">{summary ?? `Page ${pages.page}`}</span>
      </FlexItem>
      <FlexItem>
        <Button variant="plain" aria-label="Previous page" isDisabled={pages.page <= 1} onClick={pages.previous} icon={<AngleLeftIcon />} />
        <Button variant="plain" aria-label="Next page" isDisabled={!nextCursor} onClick={() => nextCursor && pages.next(nextCursor)} icon={<AngleRightIcon />} />
      </FlexItem>
    </Flex>
  );
}
