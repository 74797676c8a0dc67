-- substrate:requires-schema auth
-- Supabase hook-up (reference §7.4 and the RLS of §7.1–7.3). Applied only where Supabase's `auth` schema exists;
-- elsewhere `substrate migrate` skips it without recording it, so it applies once the schema is there.
--
-- 1. Triggers on auth.users / auth.sessions post login, signup and signout to the gateway's /webhooks/* through
--    pg_net, with the X-Webhook-Secret. The secret and the gateway's URL come from Supabase Vault (secrets named
--    `webhook_secret` and `gateway_url`), or else from the settings `substrate.webhook_secret` /
--    `substrate.gateway_url` (ALTER DATABASE … SET …). Unlike the reference there is no built-in fallback secret:
--    without configuration nothing is sent and a warning is logged. A failure to queue the request never blocks a
--    sign-in.
-- 2. Row-level security on the tables users read through Supabase's API (the visibility rules of the reference),
--    and no access at all for API roles to the platform's internal tables. The services connect as the tables'
--    owner and are not affected.

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_net') THEN
        CREATE EXTENSION IF NOT EXISTS pg_net;
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION public.substrate_webhook_setting(setting text) RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = '' AS $$
DECLARE
    value text;
BEGIN
    IF to_regclass('vault.decrypted_secrets') IS NOT NULL THEN
        EXECUTE 'SELECT decrypted_secret FROM vault.decrypted_secrets WHERE name = $1 LIMIT 1' INTO value USING setting;
    END IF;
    RETURN COALESCE(NULLIF(value, ''), NULLIF(current_setting('substrate.' || setting, true), ''));
END;
$$;

CREATE OR REPLACE FUNCTION public.substrate_post_identity_webhook(route text, body jsonb) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
    secret text := public.substrate_webhook_setting('webhook_secret');
    gateway text := public.substrate_webhook_setting('gateway_url');
BEGIN
    IF secret IS NULL OR gateway IS NULL THEN
        RAISE WARNING 'event substrate: webhook_secret or gateway_url is not configured; % not sent', route;
        RETURN;
    END IF;
    PERFORM net.http_post(
        url := rtrim(gateway, '/') || '/webhooks/' || route,
        body := body,
        headers := jsonb_build_object('Content-Type', 'application/json', 'X-Webhook-Secret', secret));
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'event substrate: % webhook not queued: %', route, SQLERRM;
END;
$$;

CREATE OR REPLACE FUNCTION public.substrate_timestamp(at timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE SET search_path = '' AS $$
    SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

CREATE OR REPLACE FUNCTION public.handle_user_signup() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
    PERFORM public.substrate_post_identity_webhook('signup', jsonb_build_object(
        'user_id', NEW.id::text,
        'email', COALESCE(NEW.email, ''),
        'signup_time', public.substrate_timestamp(COALESCE(NEW.created_at, now()))));
    RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION public.handle_user_login() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
    PERFORM public.substrate_post_identity_webhook('login', jsonb_build_object(
        'user_id', NEW.id::text,
        'email', COALESCE(NEW.email, ''),
        'login_time', public.substrate_timestamp(NEW.last_sign_in_at),
        'device_id', NEW.raw_user_meta_data ->> 'device_id',
        'user_agent', NEW.raw_user_meta_data ->> 'user_agent',
        'ip_address', NEW.raw_user_meta_data ->> 'ip_address'));
    RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION public.handle_user_signout() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
    PERFORM public.substrate_post_identity_webhook('signout', jsonb_build_object(
        'user_id', OLD.user_id::text,
        -- NULL when the user itself is being deleted (the schema's email is nullable for this reason).
        'email', (SELECT email FROM auth.users WHERE id = OLD.user_id),
        'signout_time', public.substrate_timestamp(now()),
        'device_id', NULL,
        'user_agent', OLD.user_agent,
        'ip_address', host(OLD.ip)));
    RETURN OLD;
END;
$$;

DROP TRIGGER IF EXISTS on_auth_user_signup ON auth.users;
CREATE TRIGGER on_auth_user_signup AFTER INSERT ON auth.users
    FOR EACH ROW EXECUTE FUNCTION public.handle_user_signup();

DROP TRIGGER IF EXISTS on_auth_user_login ON auth.users;
CREATE TRIGGER on_auth_user_login AFTER UPDATE ON auth.users
    FOR EACH ROW WHEN (OLD.last_sign_in_at IS DISTINCT FROM NEW.last_sign_in_at AND NEW.last_sign_in_at IS NOT NULL)
    EXECUTE FUNCTION public.handle_user_login();

DROP TRIGGER IF EXISTS on_auth_session_delete ON auth.sessions;
CREATE TRIGGER on_auth_session_delete AFTER DELETE ON auth.sessions
    FOR EACH ROW EXECUTE FUNCTION public.handle_user_signout();

-- Row-level security: what a signed-in user may read through the API.
ALTER TABLE public.user_notifications ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS "Users see own events or visible messages" ON public.user_notifications;
CREATE POLICY "Users see own events or visible messages" ON public.user_notifications
    FOR SELECT TO authenticated
    USING (user_id = (SELECT auth.uid())::text
           OR (event_type = 'user.message'
               AND (visibility = 'broadcast' OR recipient_id = (SELECT auth.uid())::text)));

ALTER TABLE public.credit_ledger ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS "Users see own credits" ON public.credit_ledger;
CREATE POLICY "Users see own credits" ON public.credit_ledger
    FOR SELECT TO authenticated USING (user_id = (SELECT auth.uid())::text);

ALTER TABLE public.credit_balances ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS "Users see own balance" ON public.credit_balances;
CREATE POLICY "Users see own balance" ON public.credit_balances
    FOR SELECT TO authenticated USING (user_id = (SELECT auth.uid())::text);

ALTER TABLE public.media_files ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS "Users see own active files" ON public.media_files;
CREATE POLICY "Users see own active files" ON public.media_files
    FOR SELECT TO authenticated USING (user_id = (SELECT auth.uid())::text AND status = 'active');

-- The reference's view ran with its owner's rights and so showed every user's balance (§10); with
-- security_invoker it applies the ledger's policy for the caller.
ALTER VIEW public.user_credit_balances SET (security_invoker = true);

-- The platform's internal tables: row-level security without policies, and no privileges for the API roles.
DO $$
DECLARE
    internal_tables text[] := ARRAY[
        'schema_migrations', 'schema_registry_schemas', 'schema_registry_subjects', 'consumer_offsets', 'outbox',
        'saga_state', 'saga_timers', 'media_object_events', 'processed_events'];
    internal text;
    role_name text;
BEGIN
    FOREACH internal IN ARRAY internal_tables LOOP
        IF to_regclass('public.' || internal) IS NOT NULL THEN
            EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', internal);
        END IF;
    END LOOP;
    FOREACH role_name IN ARRAY ARRAY['anon', 'authenticated'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role_name) THEN
            FOREACH internal IN ARRAY internal_tables LOOP
                IF to_regclass('public.' || internal) IS NOT NULL THEN
                    EXECUTE format('REVOKE ALL ON public.%I FROM %I', internal, role_name);
                END IF;
            END LOOP;
            -- Clients read; only the services write (no insert/update/delete policies either).
            EXECUTE format(
                'REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON public.user_notifications, public.credit_ledger, '
                || 'public.credit_balances, public.media_files FROM %I', role_name);
        END IF;
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
        GRANT SELECT ON public.user_notifications, public.credit_ledger, public.credit_balances, public.media_files,
            public.user_credit_balances TO authenticated;
    END IF;
    -- Supabase Realtime, for frontends that subscribe to inserts instead of the gateway's SSE stream.
    IF EXISTS (SELECT 1 FROM pg_publication WHERE pubname = 'supabase_realtime')
       AND NOT EXISTS (SELECT 1 FROM pg_publication_tables
                       WHERE pubname = 'supabase_realtime' AND schemaname = 'public' AND tablename = 'user_notifications')
    THEN
        ALTER PUBLICATION supabase_realtime ADD TABLE public.user_notifications;
    END IF;
END
$$;
