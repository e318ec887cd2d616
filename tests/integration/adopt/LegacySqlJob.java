import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;

/**
 * A team's own SQL job, as teams wrote them before flinkops: a jar started with Flink's CLI
 * ({@code flink run -d legacy-sql-job.jar FILE.sql}) that runs the statements of a SQL file.
 * {@code SET 'key' = 'value'} sets the table configuration for the statements after it (so
 * one file can start several INSERT jobs, each with its own {@code pipeline.name}). It knows
 * nothing of flinkops: the jobs it starts carry no flinkops identity.
 */
public class LegacySqlJob {
    private static final Pattern SET =
            Pattern.compile("\\s*SET\\s+'([^']+)'\\s*=\\s*'([^']*)'\\s*", Pattern.CASE_INSENSITIVE);

    public static void main(String[] args) throws Exception {
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        for (String statement : Files.readString(Path.of(args[0])).split(";")) {
            Matcher set = SET.matcher(statement);
            if (set.matches()) {
                env.getConfig().set(set.group(1), set.group(2));
            } else if (!statement.isBlank()) {
                env.executeSql(statement);
            }
        }
    }
}
