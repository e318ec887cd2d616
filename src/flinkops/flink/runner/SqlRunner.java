/*
 * flinkops SQL runner: runs one flinkops job spec's SQL as one Flink job.
 *
 * Usage (as a Flink jar's entry class):
 *   SqlRunner --statements <base64 of a JSON array of statement strings>
 *
 * SET statements set table configuration, other non-INSERT statements
 * (CREATE, DROP, ALTER, USE, LOAD ...) run at once, and every INSERT (also
 * those inside EXECUTE STATEMENT SET BEGIN ... END or BEGIN STATEMENT SET; ...
 * END;) goes into one StatementSet that is executed at the end. An EXECUTE PLAN
 * statement (a compiled plan, FLIP-190) is the job instead: it runs as it comes,
 * and a program may not mix it with INSERTs (two jobs). COMPILE PLAN runs at once
 * like any other statement.
 *
 * A statement Flink rejects fails the program with its exception wrapped once,
 * in a message that starts "flinkops statement N: " (N counts the statements
 * received, from 0), so the caller can place Flink's statement-relative
 * line and column in the spec. Errors (Flink's plan-capturing abort among
 * them) pass through untouched.
 *
 * The Table API is reached through reflection only, so this file compiles with
 * a bare JDK (no Flink jars) and runs on Flink 1.x and 2.x alike.
 */
package flinkops.runner;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public final class SqlRunner {

    private static final Pattern SET =
            Pattern.compile("(?is)^SET\\s+'((?:[^']|'')*)'\\s*=\\s*'((?:[^']|'')*)'$");
    private static final Pattern SET_UNQUOTED =
            Pattern.compile("(?is)^SET\\s+([A-Za-z0-9_.\\-]+)\\s*=\\s*(.*?)$");
    private static final Pattern STATEMENT_SET_OPEN =
            Pattern.compile("(?is)^(?:EXECUTE\\s+)?(?:BEGIN\\s+STATEMENT\\s+SET|STATEMENT\\s+SET\\s+BEGIN)\\b(.*)$");
    private static final Pattern END = Pattern.compile("(?is)^END$");
    private static final Pattern INSERT = Pattern.compile("(?is)^(?:EXECUTE\\s+)?(INSERT\\b.*)$");
    private static final Pattern EXECUTE_PLAN = Pattern.compile("(?is)^EXECUTE\\s+PLAN\\b.*$");
    private static final int INSERTED = 1;
    private static final int PLAN_EXECUTED = 2;

    private SqlRunner() {}

    public static void main(String[] args) throws Exception {
        List<String> statements = null;
        for (int i = 0; i < args.length - 1; i++) {
            if ("--statements".equals(args[i])) {
                String json = new String(Base64.getDecoder().decode(args[i + 1]), StandardCharsets.UTF_8);
                statements = parseStringArray(json);
            }
        }
        if (statements == null) {
            throw new IllegalArgumentException("flinkops SqlRunner: missing --statements <base64 JSON array>");
        }
        try {
            run(statements);
        } catch (InvocationTargetException e) {
            // Flink's own exceptions (and its plan-capturing abort) must pass through untouched.
            throw SqlRunner.<RuntimeException>sneaky(e.getCause());
        }
    }

    private static void run(List<String> statements) throws Exception {
        Class<?> settingsClass = Class.forName("org.apache.flink.table.api.EnvironmentSettings");
        Object builder = settingsClass.getMethod("newInstance").invoke(null);
        builder = call(builder, "inStreamingMode");
        Object settings = call(builder, "build");
        Class<?> envClass = Class.forName("org.apache.flink.table.api.TableEnvironment");
        Object tEnv = envClass.getMethod("create", settingsClass).invoke(null, settings);
        Object tableConfig = call(tEnv, "getConfig");
        Object statementSet = call(tEnv, "createStatementSet");
        Method addInsertSql = publicMethod(statementSet, "addInsertSql", String.class);
        Method executeSql = publicMethod(tEnv, "executeSql", String.class);
        Method setConfig = publicMethod(tableConfig, "set", String.class, String.class);

        List<String> expanded = new ArrayList<>();
        for (String raw : statements) {
            expanded.addAll(expand(stripComments(raw)));
        }
        requireOneJob(expanded);
        int inserts = 0;
        int plans = 0;
        for (int index = 0; index < expanded.size(); index++) {
            String sql = expanded.get(index);
            if (sql.isEmpty() || END.matcher(sql).matches()) {
                continue;
            }
            try {
                int ran = runOne(sql, tEnv, tableConfig, statementSet, addInsertSql, executeSql, setConfig);
                inserts += ran == INSERTED ? 1 : 0;
                plans += ran == PLAN_EXECUTED ? 1 : 0;
            } catch (InvocationTargetException e) {
                throw rejected(index, e.getCause());
            } catch (IllegalArgumentException e) {
                throw rejected(index, e);
            }
        }
        if (plans > 0) {
            return; // the compiled plan was the job
        }
        if (inserts == 0) {
            throw new IllegalArgumentException("flinkops: the job's SQL has no INSERT statement, so there is nothing to run");
        }
        call(statementSet, "execute");
    }

    /** One job per program: an EXECUTE PLAN alone, or INSERTs (checked before anything
     *  runs: executing the plan ends a plan-capturing compile at once). */
    private static void requireOneJob(List<String> expanded) {
        int plans = 0;
        int inserts = 0;
        for (String sql : expanded) {
            plans += EXECUTE_PLAN.matcher(sql).matches() ? 1 : 0;
            inserts += INSERT.matcher(sql).matches() ? 1 : 0;
        }
        if (plans > 1 || (plans > 0 && inserts > 0)) {
            throw new IllegalArgumentException(
                    "flinkops runs one job: an EXECUTE PLAN cannot be mixed with INSERTs or another plan");
        }
    }

    /** Runs one statement; INSERTED when it was an INSERT added to the statement set,
     *  PLAN_EXECUTED when it was an EXECUTE PLAN (the job), else 0. */
    private static int runOne(String sql, Object tEnv, Object tableConfig, Object statementSet,
            Method addInsertSql, Method executeSql, Method setConfig) throws Exception {
        Matcher set = SET.matcher(sql);
        Matcher setUnquoted = SET_UNQUOTED.matcher(sql);
        Matcher insert = INSERT.matcher(sql);
        if (set.matches()) {
            setConfig.invoke(tableConfig, set.group(1).replace("''", "'"), set.group(2).replace("''", "'"));
        } else if (setUnquoted.matches()) {
            setConfig.invoke(tableConfig, setUnquoted.group(1), setUnquoted.group(2).trim());
        } else if (insert.matches()) {
            addInsertSql.invoke(statementSet, insert.group(1));
            return INSERTED;
        } else if (EXECUTE_PLAN.matcher(sql).matches()) {
            executeSql.invoke(tEnv, sql);
            return PLAN_EXECUTED;
        } else if (sql.toUpperCase(Locale.ROOT).startsWith("SELECT")
                || sql.toUpperCase(Locale.ROOT).startsWith("WITH")) {
            throw new IllegalArgumentException(
                    "flinkops runs INSERT statements only; a bare query has no sink: " + abbreviate(sql));
        } else {
            executeSql.invoke(tEnv, sql);
        }
        return 0;
    }

    /** Flink's rejection of statement {@code index}, marked for the caller; an Error as it is. */
    private static RuntimeException rejected(int index, Throwable cause) {
        if (cause instanceof Error) {
            throw (Error) cause;
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return new IllegalStateException("flinkops statement " + index + ": " + message, cause);
    }

    /** Unwraps statement-set blocks into their inserts; other statements pass as they are. */
    private static List<String> expand(String sql) {
        List<String> out = new ArrayList<>();
        Matcher open = STATEMENT_SET_OPEN.matcher(sql);
        if (!open.matches()) {
            out.add(sql);
            return out;
        }
        for (String part : splitStatements(open.group(1))) {
            String s = stripComments(part);
            if (!s.isEmpty() && !END.matcher(s).matches()) {
                out.add(s);
            }
        }
        return out;
    }

    /** Splits on ';' outside quotes and comments. */
    static List<String> splitStatements(String text) {
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\'' || c == '"' || c == '`') {
                int j = i + 1;
                while (j < n) {
                    if (text.charAt(j) == c) {
                        if (j + 1 < n && text.charAt(j + 1) == c) { j += 2; continue; }
                        break;
                    }
                    j++;
                }
                cur.append(text, i, Math.min(j + 1, n));
                i = j;
            } else if (c == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
                int j = text.indexOf('\n', i);
                j = j < 0 ? n : j;
                cur.append(text, i, j);
                i = j - 1;
            } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                int j = text.indexOf("*/", i + 2);
                j = j < 0 ? n : j + 2;
                cur.append(text, i, j);
                i = j - 1;
            } else if (c == ';') {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        parts.add(cur.toString());
        return parts;
    }

    /** Removes leading comments and surrounding blanks and a trailing ';'. */
    static String stripComments(String sql) {
        String s = sql.trim();
        while (true) {
            if (s.startsWith("--")) {
                int nl = s.indexOf('\n');
                s = nl < 0 ? "" : s.substring(nl + 1).trim();
            } else if (s.startsWith("/*")) {
                int end = s.indexOf("*/");
                s = end < 0 ? "" : s.substring(end + 2).trim();
            } else {
                break;
            }
        }
        while (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).trim();
        }
        return s;
    }

    private static String abbreviate(String s) {
        String one = s.replaceAll("\\s+", " ");
        return one.length() > 80 ? one.substring(0, 77) + "..." : one;
    }

    private static Object call(Object target, String name) throws Exception {
        return publicMethod(target, name).invoke(target);
    }

    /** A public method by name, looked up on public interfaces so reflection works across class loaders. */
    private static Method publicMethod(Object target, String name, Class<?>... types) throws NoSuchMethodException {
        for (Class<?> k = target.getClass(); k != null; k = k.getSuperclass()) {
            for (Class<?> iface : k.getInterfaces()) {
                try {
                    return iface.getMethod(name, types);
                } catch (NoSuchMethodException ignored) {
                    // try the next one
                }
            }
        }
        Method m = target.getClass().getMethod(name, types);
        m.setAccessible(true);
        return m;
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }

    /** Parses a JSON array of strings (the only JSON this runner reads). */
    static List<String> parseStringArray(String json) {
        List<String> out = new ArrayList<>();
        int i = skip(json, 0);
        expect(json, i, '[');
        i = skip(json, i + 1);
        if (i < json.length() && json.charAt(i) == ']') {
            return out;
        }
        while (true) {
            expect(json, i, '"');
            StringBuilder sb = new StringBuilder();
            i++;
            while (true) {
                if (i >= json.length()) {
                    throw new IllegalArgumentException("unterminated string in statements JSON");
                }
                char c = json.charAt(i++);
                if (c == '"') {
                    break;
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                char e = json.charAt(i++);
                switch (e) {
                    case 'n': sb.append('\n'); break;
                    case 't': sb.append('\t'); break;
                    case 'r': sb.append('\r'); break;
                    case 'b': sb.append('\b'); break;
                    case 'f': sb.append('\f'); break;
                    case 'u':
                        sb.append((char) Integer.parseInt(json.substring(i, i + 4), 16));
                        i += 4;
                        break;
                    default: sb.append(e);
                }
            }
            out.add(sb.toString());
            i = skip(json, i);
            if (i < json.length() && json.charAt(i) == ',') {
                i = skip(json, i + 1);
                continue;
            }
            expect(json, i, ']');
            return out;
        }
    }

    private static int skip(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static void expect(String s, int i, char c) {
        if (i >= s.length() || s.charAt(i) != c) {
            throw new IllegalArgumentException("statements JSON: expected '" + c + "' at " + i);
        }
    }
}
