import '@patternfly/react-core/dist/styles/base.css';
import './console.css';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, RouterProvider, useSearchParams } from 'react-router';
import { ApiError, setSessionLostHandler } from './api';
import { AppLayout } from './components/AppLayout';
import { RequireSession } from './session';
import { ConfigurationPage } from './pages/Configuration';
import { ConnectorsPage } from './pages/Connectors';
import { EventsPage } from './pages/Events';
import { FlowPage } from './pages/Flow';
import { LockdownDetailPage } from './pages/LockdownDetail';
import { LockdownsPage } from './pages/Lockdowns';
import { LoginPage } from './pages/Login';
import { NotFoundPage } from './pages/NotFound';
import { NotificationsPage } from './pages/Notifications';
import { OverviewPage } from './pages/Overview';
import { RecoveryPage } from './pages/Recovery';
import { SettingsPage } from './pages/Settings';
import { SignalsPage } from './pages/Signals';
import { UserDetailPage } from './pages/UserDetail';
import { UsersPage } from './pages/Users';

// PatternFly's dark theme, following the operating system's choice.
const dark = window.matchMedia('(prefers-color-scheme: dark)');
const applyTheme = () => document.documentElement.classList.toggle('pf-v6-theme-dark', dark.matches);
applyTheme();
dark.addEventListener('change', applyTheme);

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A refused call is an answer to show, not something to hammer again.
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      refetchOnWindowFocus: true,
    },
  },
});
// A call that finds the session gone signs the console out: the next page is the login.
setSessionLostHandler(() => queryClient.setQueryData(['me'], null));

function Console() {
  return (
    <RequireSession>
      <AppLayout />
    </RequireSession>
  );
}

/** `/flows/<slug>?lockdown=<id>` runs a lockdown (needs a session); without it, the flow's own page (e.g. the completion page, open to anyone). */
function FlowRoute() {
  const [search] = useSearchParams();
  if (search.get('lockdown')) {
    return (
      <RequireSession>
        <AppLayout />
      </RequireSession>
    );
  }
  return <FlowPage />;
}

const router = createBrowserRouter([
  { path: '/login', element: <LoginPage /> },
  { path: '/recovery', element: <RecoveryPage /> },
  { path: '/flows/:slug', element: <FlowRoute />, children: [{ index: true, element: <FlowPage /> }] },
  {
    element: <Console />,
    children: [
      { path: '/', element: <OverviewPage /> },
      { path: '/users', element: <UsersPage /> },
      { path: '/users/:id', element: <UserDetailPage /> },
      { path: '/lockdowns', element: <LockdownsPage /> },
      { path: '/lockdowns/:id', element: <LockdownDetailPage /> },
      { path: '/events', element: <EventsPage /> },
      { path: '/notifications', element: <NotificationsPage /> },
      { path: '/settings', element: <SettingsPage /> },
      { path: '/configuration', element: <ConfigurationPage /> },
      { path: '/connectors', element: <ConnectorsPage /> },
      { path: '/signals', element: <SignalsPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);

