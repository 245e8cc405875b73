import { Button, Card, CardBody, CardFooter, CardTitle, Content, DescriptionList, DescriptionListDescription, DescriptionListGroup, DescriptionListTerm, Grid, GridItem, PageSection, Title } from '@patternfly/react-core';
import { StartLockdownError, useStartLockdown } from '../components/StartLockdown';
import { useMe } from '../session';

/** Settings for every signed-in user, with the self-service Account Lockdown. */
export function SettingsPage() {
  const me = useMe().data;
  const start = useStartLockdown();
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Settings</Title>
      </PageSection>
      <PageSection>
        <Grid hasGutter>
          <GridItem lg={6}>
            <Card isFullHeight>
              <CardTitle component="h2">Your account</CardTitle>
              <CardBody>
                <DescriptionList isHorizontal>
                  {[
                    ['Username', me?.username],
                    ['Name', me?.name || '—'],
                    ['Email', me?.email || '—'],
                  ].map(([term, value]) => (
                    <DescriptionListGroup key={term}>
                      <DescriptionListTerm>{term}</DescriptionListTerm>
                      <DescriptionListDescription>{value}</DescriptionListDescription>
                    </DescriptionListGroup>
                  ))}
                </DescriptionList>
              </CardBody>
            </Card>
          </GridItem>
          <GridItem lg={6}>
            <Card isFullHeight>
              <CardTitle component="h2">Account Lockdown</CardTitle>
              <CardBody>
                <Content>
                  <p>If you believe your account has been compromised, lock it now. This immediately:</p>
                  <ul>
                    <li>deactivates your account, so nobody can log in with it;</li>
                    <li>invalidates your password;</li>
                    <li>logs you out of every device and application;</li>
                    <li>revokes your API tokens and app passwords.</li>
                  </ul>
                  <p>The security team is notified. You cannot log in again until an administrator restores your access.</p>
                </Content>
                <StartLockdownError error={start.error} />
              </CardBody>
              <CardFooter>
                <Button variant="danger" onClick={() => start.mutate({})} isLoading={start.isPending} isDisabled={start.isPending}>
                  Lock my account
                </Button>
              </CardFooter>
            </Card>
          </GridItem>
        </Grid>
      </PageSection>
    </>
  );
}
