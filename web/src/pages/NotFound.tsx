import { EmptyState, EmptyStateBody, PageSection } from '@patternfly/react-core';
import { Link } from 'react-router';

export function NotFoundPage() {
  return (
    <PageSection>
      <EmptyState headingLevel="h1" titleText="Page not found">
        <EmptyStateBody>
          There is no page here. <Link to="/">Go to the overview</Link>.
        </EmptyStateBody>
      </EmptyState>
    </PageSection>
  );
}
