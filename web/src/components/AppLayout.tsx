import {
  Button,
  Content,
  Masthead,
  MastheadBrand,
  MastheadContent,
  MastheadLogo,
  MastheadMain,
  MastheadToggle,
  Nav,
  NavExpandable,
  NavItem,
  NavList,
  Page,
  PageSidebar,
  PageSidebarBody,
  PageToggleButton,
  SkipToContent,
  Toolbar,
  ToolbarContent,
  ToolbarGroup,
  ToolbarItem,
} from '@patternfly/react-core';
import { BarsIcon, LockIcon, UserIcon } from '@patternfly/react-icons';
import { useEffect, type ReactNode } from 'react';
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { useCapabilities, useMe, useSignOut } from '../session';

const MAIN_ID = 'main-content';

function Item({ to, children }: { to: string; children: ReactNode }) {
  const location = useLocation();
  const active = to === '/' ? location.pathname === '/' : location.pathname === to || location.pathname.startsWith(`${to}/`);
  return (
    <NavItem isActive={active}>
      <NavLink to={to} end={to === '/'}>
        {children}
      </NavLink>
    </NavItem>
  );
}

/** The admin console's frame: masthead, navigation by what the user may do (GET /me/capabilities), and the page. */
export function AppLayout() {
  const me = useMe().data;
  const can = useCapabilities().data;
  const signOut = useSignOut();
  const navigate = useNavigate();
  const location = useLocation();

  // Focus moves to the page's heading after navigation, so keyboard and screen-reader users land on the new page.
  useEffect(() => {
    const heading = document.querySelector<HTMLElement>(`#${MAIN_ID} h1`);
    if (heading) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    }
    document.title = heading?.textContent ? `${heading.textContent} · Account Lockdown` : 'Account Lockdown';
  }, [location.pathname]);

  const masthead = (
    <Masthead>
      <MastheadMain>
        <MastheadToggle>
          <PageToggleButton isHamburgerButton aria-label="Main navigation">
            <BarsIcon />
          </PageToggleButton>
        </MastheadToggle>
        <MastheadBrand>
          <MastheadLogo component={(props) => <NavLink {...props} to="/" />}>
            <span className="console-brand">
              <LockIcon /> Account Lockdown
            </span>
          </MastheadLogo>
        </MastheadBrand>
      </MastheadMain>
      <MastheadContent>
        <Toolbar isFullHeight isStatic>
          <ToolbarContent>
            <ToolbarGroup align={{ default: 'alignEnd' }}>
              <ToolbarItem>
                <Content component="small" className="console-whoami">
                  <UserIcon /> {me?.username}
                </Content>
              </ToolbarItem>
              <ToolbarItem>
                <Button
                  variant="secondary"
                  size="sm"
                  onClick={async () => {
                    await signOut();
                    navigate('/login', { replace: true });
                  }}
                >
                  Log out
                </Button>
              </ToolbarItem>
            </ToolbarGroup>
          </ToolbarContent>
        </Toolbar>
      </MastheadContent>
    </Masthead>
  );

  const sidebar = (
    <PageSidebar>
      <PageSidebarBody>
        <Nav aria-label="Console">
          <NavList>
            <Item to="/">Overview</Item>
            {can?.listUsers && (
              <NavExpandable title="Directory" isExpanded groupId="directory">
                <Item to="/users">Users</Item>
              </NavExpandable>
            )}
            {can?.listLockdowns && <Item to="/lockdowns">Lockdowns</Item>}
            <NavExpandable title="Events" isExpanded groupId="events">
              {can?.viewAudit && <Item to="/events">Logs</Item>}
              <Item to="/notifications">Notifications</Item>
            </NavExpandable>
            {can?.configure && <Item to="/configuration">Configuration</Item>}
            {can?.changeUser && <Item to="/connectors">Connectors</Item>}
            {can?.configure && <Item to="/signals">Signals</Item>}
            <Item to="/settings">Settings</Item>
          </NavList>
        </Nav>
      </PageSidebarBody>
    </PageSidebar>
  );

  return (
    <Page
      masthead={masthead}
      sidebar={sidebar}
      isManagedSidebar
      mainContainerId={MAIN_ID}
      skipToContent={<SkipToContent href={`#${MAIN_ID}`}>Skip to content</SkipToContent>}
    >
      <Outlet />
    </Page>
  );
}
