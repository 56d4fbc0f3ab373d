import type { MigrationInterface, QueryRunner } from 'typeorm';

// A version per user that changes, in the same transaction, with anything their session list
// shows: a session they own or are a member of is created, changed or deleted, or a membership
// of theirs comes or goes. Triggers keep it, so no write path can forget to. It validates
// cached list pages (and the list's ETag) with one primary-key read.
export class SessionListVersions1764600000000 implements MigrationInterface {
  name = 'SessionListVersions1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE session_list_version_seq`);
    await q.query(`
      CREATE TABLE session_list_versions (
        user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        version bigint NOT NULL
      )`);
    // Users in id order (concurrent bumps of the same users lock them in one order). A user being
    // deleted (cascading to their sessions) is skipped: their row goes with them.
    await q.query(`
      CREATE FUNCTION touch_session_lists(user_ids uuid[]) RETURNS void LANGUAGE sql AS $$
        INSERT INTO session_list_versions (user_id, version)
        SELECT u.id, nextval('session_list_version_seq') FROM users u WHERE u.id = ANY(user_ids) ORDER BY u.id
        ON CONFLICT (user_id) DO UPDATE SET version = EXCLUDED.version
      $$`);
    await q.query(`
      CREATE FUNCTION chat_sessions_touch_lists() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        s chat_sessions;
      BEGIN
        s := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        PERFORM touch_session_lists(
          array_append(ARRAY(SELECT m.user_id FROM session_members m WHERE m.session_id = s.id), s.user_id)
          || CASE WHEN TG_OP = 'UPDATE' AND OLD.user_id <> NEW.user_id THEN ARRAY[OLD.user_id] ELSE '{}'::uuid[] END);
        RETURN NULL;
      END
      $$`);
    await q.query(`
      CREATE TRIGGER chat_sessions_touch_lists AFTER INSERT OR UPDATE OR DELETE ON chat_sessions
        FOR EACH ROW EXECUTE FUNCTION chat_sessions_touch_lists()`);
    await q.query(`
      CREATE FUNCTION session_members_touch_lists() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          PERFORM touch_session_lists(ARRAY[OLD.user_id]);
        ELSIF TG_OP = 'INSERT' THEN
          PERFORM touch_session_lists(ARRAY[NEW.user_id]);
        ELSE
          PERFORM touch_session_lists(ARRAY[OLD.user_id, NEW.user_id]);
        END IF;
        RETURN NULL;
      END
      $$`);
    await q.query(`
      CREATE TRIGGER session_members_touch_lists AFTER INSERT OR UPDATE OR DELETE ON session_members
        FOR EACH ROW EXECUTE FUNCTION session_members_touch_lists()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER session_members_touch_lists ON session_members');
    await q.query('DROP FUNCTION session_members_touch_lists()');
    await q.query('DROP TRIGGER chat_sessions_touch_lists ON chat_sessions');
    await q.query('DROP FUNCTION chat_sessions_touch_lists()');
    await q.query('DROP FUNCTION touch_session_lists(uuid[])');
    await q.query('DROP TABLE session_list_versions');
    await q.query('DROP SEQUENCE session_list_version_seq');
  }
}
