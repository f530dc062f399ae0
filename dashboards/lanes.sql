-- Lanes: per group (the unit's role, else its lane, else its agent) and model, the work units split into a trivial
-- and a heavy tier by output tokens, with counts, tokens, cost, grade and outcome mix per tier: the ledger to decide
-- which work a cheaper model could take.
--
-- Reads agentcost_work_units (a unit is a task, or a session for calls that carry no task); a unit's size is its total
-- output tokens over ALL its calls, its model the one most of its calls used. A unit is trivial when its output
-- tokens are at most the threshold, else heavy. Units with no role, lane or agent form the group 'untagged'.
-- The threshold: {trivial_max_output_tokens} when above 0, the same for every group. At 0 (automatic) each group gets
-- its own from the distribution of its units' sizes: Otsu's method on log(1 + output tokens), i.e. the split of the
-- group's units, ordered by size, into a smaller and a larger class that maximizes the between-class variance
-- w0 * w1 * (mean0 - mean1)^2; the threshold is the largest unit of the smaller class. Log space because the tiers
-- differ by a factor (hundreds of tokens against tens of thousands); Otsu rather than the widest gap, so that a few
-- outliers at either end do not take the split. Any group of two sizes or more is split, bimodal or not: where its
-- work is not bimodal, the tiers are merely its smaller and larger units (set the threshold to compare groups on one
-- scale). A group whose units all have one size has no split of its own and takes the one computed over all units
-- of the window; when that does not exist either, the threshold is 0 and every unit with output is heavy (calling
-- work trivial, i.e. fit for a cheaper model, needs evidence).
-- Thresholds come from ALL units in the window whatever the filters, so a filter selects rows without moving a split.
--
-- Standard parameters: {from}, {to} (units with a call starting in the window), {service}, {agent} (the unit's agent
-- name or role) and {model} (the unit's model); '*' = all.
-- @param trivial_max_output_tokens = 0 largest trivial unit in output tokens; 0 = found from each group's distribution
-- Columns: group, model, tier ('trivial' | 'heavy': both rows for every group and model), threshold_output_tokens (the
-- group's threshold), units, calls, input_tokens (including cached input), output_tokens, cost_usd, avg_grade (over the
-- tier's units with a grade; NULL when none), success_units, noop_units, blocked_units, failed_units,
-- abandoned_units, no_outcome_units. Costliest group first, then its costliest model, trivial before heavy.
SELECT
    `group`,
    model,
    tier,
    threshold_output_tokens,
    countIf(member) AS units,
    sumIf(unit_calls, member) AS calls,
    sumIf(unit_input_tokens, member) AS input_tokens,
    sumIf(unit_output_tokens, member) AS output_tokens,
    sumIf(unit_cost_usd, member) AS cost_usd,
    avg(if(member, grade, NULL)) AS avg_grade,
    countIf(member AND outcome = 'success') AS success_units,
    countIf(member AND outcome = 'noop') AS noop_units,
    countIf(member AND outcome = 'blocked') AS blocked_units,
    countIf(member AND outcome = 'failed') AS failed_units,
    countIf(member AND outcome = 'abandoned') AS abandoned_units,
    countIf(member AND outcome = '') AS no_outcome_units
FROM (
    SELECT
        *,
        arrayJoin(['trivial', 'heavy']) AS tier,
        (tier = 'trivial') = (unit_output_tokens <= threshold_output_tokens) AS member
    FROM (
        SELECT
            *,
            toUInt64(multiIf(
                {trivial_max_output_tokens:UInt64} > 0, {trivial_max_output_tokens:UInt64},
                group_has_split, group_split,
                pooled_has_split, pooled_split,
                0
            )) AS threshold_output_tokens
        FROM (
            SELECT
                *,
                max(group_score) OVER by_group >= 0 AS group_has_split,
                argMax(unit_output_tokens, (group_score, -unit_output_tokens)) OVER by_group AS group_split,
                max(pooled_score) OVER () >= 0 AS pooled_has_split,
                argMax(unit_output_tokens, (pooled_score, -unit_output_tokens)) OVER () AS pooled_split
            FROM (
                -- Otsu's score of splitting after this unit's size: k of the n units are at most its size (ties
                -- included), their log sizes summing to s of the total; -1 at the largest size, where nothing
                -- would be left above the split.
                SELECT
                    *,
                    count() OVER group_up_to_size AS group_k,
                    sum(log_size) OVER group_up_to_size AS group_s,
                    count() OVER by_group AS group_n,
                    sum(log_size) OVER by_group AS group_total,
                    if(
                        group_k < group_n,
                        group_k * (group_n - group_k)
                            * pow(group_s / group_k - (group_total - group_s) / (group_n - group_k), 2),
                        -1
                    ) AS group_score,
                    count() OVER up_to_size AS pooled_k,
                    sum(log_size) OVER up_to_size AS pooled_s,
                    count() OVER () AS pooled_n,
                    sum(log_size) OVER () AS pooled_total,
                    if(
                        pooled_k < pooled_n,
                        pooled_k * (pooled_n - pooled_k)
                            * pow(pooled_s / pooled_k - (pooled_total - pooled_s) / (pooled_n - pooled_k), 2),
                        -1
                    ) AS pooled_score
                FROM (
                    SELECT
                        multiIf(role != '', role, lane != '', lane, agent != '', agent, 'untagged') AS `group`,
                        model,
                        calls AS unit_calls,
                        input_tokens AS unit_input_tokens,
                        output_tokens AS unit_output_tokens,
                        cost_usd AS unit_cost_usd,
                        grade,
                        ifNull(outcome, '') AS outcome,
                        log1p(output_tokens) AS log_size,
                        ({service:String} = '*' OR service = {service:String})
                            AND ({agent:String} = '*' OR agent = {agent:String} OR role = {agent:String})
                            AND ({model:String} = '*' OR model = {model:String}) AS kept
                    FROM agentcost_work_units(from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')})
                )
                WINDOW
                    by_group AS (PARTITION BY `group`),
                    group_up_to_size AS (PARTITION BY `group` ORDER BY unit_output_tokens RANGE UNBOUNDED PRECEDING),
                    up_to_size AS (ORDER BY unit_output_tokens RANGE UNBOUNDED PRECEDING)
            )
            WINDOW by_group AS (PARTITION BY `group`)
        )
    )
    WHERE kept
)
GROUP BY `group`, model, tier, threshold_output_tokens
ORDER BY
    sum(cost_usd) OVER (PARTITION BY `group`) DESC,
    `group`,
    sum(cost_usd) OVER (PARTITION BY `group`, model) DESC,
    model,
    tier = 'heavy'
