package io.taskgate.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/** What a statement did on PostgreSQL, from {@code EXPLAIN (ANALYZE, FORMAT JSON)}. */
public final class Plans {

  private Plans() {}

  /** Runs the statement and returns the root of its plan with the actual row counts. */
  public static JsonNode explainAnalyze(NamedParameterJdbcTemplate jdbc, String sql, Map<String, ?> params) {
    String json = jdbc.queryForObject("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params, String.class);
    try {
      return new ObjectMapper().readTree(json).get(0).get("Plan");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(json, e);
    }
  }

  /**
   * Rows the plan fetched from a table, including the rows its filters dropped, over all loops:
   * PostgreSQL reports them per loop, rounded, so with several loops the sum is approximate.
   */
  public static long rowsRead(JsonNode node, String table) {
    long rows = 0;
    if (table.equals(node.path("Relation Name").asText())) {
      rows += (node.path("Actual Rows").asLong() + node.path("Rows Removed by Filter").asLong()
          + node.path("Rows Removed by Index Recheck").asLong()) * node.path("Actual Loops").asLong();
    }
    for (JsonNode child : node.path("Plans")) {
      rows += rowsRead(child, table);
    }
    return rows;
  }
}
