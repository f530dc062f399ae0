-- Findings: the patterns behind the waste, each with the evidence, the change that fixes it in one sentence, and the
-- estimated saving per month with how it was computed; the biggest saving first. One block per kind of finding:
--   idle_heartbeats     an idle session (heartbeats only) paying for heartbeats at a short interval;
--   inherited_context   a session whose tasks carry the earlier tasks' context;
--   context_bleed       a session whose input carries messages of other sessions;
--   mid_band_bails      mid-band work units that bail (noop, blocked or abandoned: gave up, not failed);
--   trivial_lane_model  a lane's trivial tier on a model a cheaper one of the same provider could replace.
--
-- Reads the window's calls and work units (agentcost_selected_calls, agentcost_llm_calls_in, agentcost_selected_units,
-- agentcost_work_units), agentcost_context_bleed (the sessions bleed came from) and the price table agentcost_prices
-- (the cheaper model's prices). Standard parameters: {from}, {to} (the window),
-- {service}, {agent} (agent name or role) and {model} ('*' = all), applied as in the report each block mirrors.
-- Per month: heartbeats are projected at their own pace (cost per beat x beats per day at the median interval x 30,
-- as heartbeat_drain.sql); every other saving is the window's cost scaled to 30 days (x 30 / the window's days), so
-- choose a window that the fleet's usual work fills.
-- @param min_saving_per_month_usd = 0.5 findings saving less than this per month (USD) are left out
-- @param heartbeat_interval_minutes = 120 the longer heartbeat interval the saving is computed at
-- @param min_inherited_share = 0.2 least share of a session's task input inherited from earlier tasks
-- @param min_foreign_share = 0.05 least share of a session's input that came from other sessions
-- @param mid_band = [5000,30000] the mid band of a unit's output tokens: [low, high)
-- @param min_bail_share = 0.2 least share of the mid-band units that bailed
-- @param min_tier_gap = 4 least ratio of a group's smallest heavy unit to its largest trivial one (clean split)
-- @param trivial_max_output_tokens = 0 largest trivial unit in output tokens; 0 = each group's split, as lanes.sql
-- @param cheap_model = "" the model to reprice trivial tiers at; "" = the cheapest the fleet uses of the provider
-- @param output_price_ratio = 5 an output token's price in input tokens, as in context_tasks.sql
--
-- idle_heartbeats: sessions whose calls in the window are all heartbeats (idle as in heartbeat_drain.sql), at least
-- two, at a median interval under heartbeat_interval_minutes. Saving: the per-month cost at the current interval
-- minus the same beats at the longer one (stopping heartbeats while idle would save all of it: the evidence says so).
-- inherited_context: per session, its tasks' inherited tokens (agentcost.context.inherited_tokens) valued by the
-- context_tasks.sql cost rule (each call's cost spread over its tokens, an output token weighing output_price_ratio
-- input tokens); shown when they are at least min_inherited_share of the tasks' input. Saving: that cost.
-- context_bleed: per session, foreign tokens valued the same way, shown when at least min_foreign_share of its input.
-- mid_band_bails: one finding over the fleet: the units of [low, high) output tokens, shown when at least two and at
-- least min_bail_share of them bailed. Saving: the bailed units' cost (the false starts), with the top three reasons
-- and the lanes (else roles, else agents) where they cluster.
-- trivial_lane_model: groups (role, else lane, else agent, as lanes.sql) split by Otsu's method on log output tokens
-- (or at trivial_max_output_tokens), CLEANLY separated: the smallest heavy unit has at least min_tier_gap times the
-- output tokens of the largest trivial one. Per group and model, the trivial tier's tokens (uncached input, cache
-- reads, cache writes, output) are repriced at the cheaper model's agentcost_prices row (a NULL cache price is the
-- input price). The cheaper model: cheap_model when given (an error when it has no price row); else, of the models
-- the fleet called in the window with a price row (matched by name, ignoring case), the one of the same provider
-- (the calls' provider) that makes the tier cheapest. Saving: the tier's cost minus the repriced cost.
--
-- Columns: rank (1 = biggest saving), kind, subject (the session, the band, or group and model), evidence (the
-- numbers, as text), recommendation (one sentence), saving_per_month_usd, saving_usd (in the window), cost_usd (the
-- window's cost the finding is about), how (the computation, with its numbers). Order: rank.
WITH
    (x -> concat('$', if(abs(x) < 1, toDecimalString(x, 4), toDecimalString(x, 2)))) AS usd,
    (n -> multiIf(
        n >= 1000000, concat(toDecimalString(n / 1000000, 1), 'M'),
        n >= 1000, concat(toDecimalString(n / 1000, 1), 'k'),
        toString(n)
    )) AS tokens,
    (f -> concat(toString(round(100 * f)), '%')) AS percent,
    -- the three most frequent values, as 'value xN, ...'
    (values -> arrayStringConcat(arrayMap(
        pair -> concat(pair.1, ' x', toString(pair.2)),
        arraySlice(
            arrayReverseSort(p -> p.2, arrayMap(v -> (v, countEqual(values, v)), arraySort(arrayDistinct(values)))),
            1,
            3
        )
    ), ', ')) AS ranked,
    dateDiff('millisecond', {from:DateTime64(9, 'UTC')}, {to:DateTime64(9, 'UTC')}) / 86400000 AS window_days,
    toDecimalString(window_days, 2) AS days_text
SELECT
    toUInt32(row_number() OVER (ORDER BY saving_per_month_usd DESC, kind, subject)) AS rank,
    kind,
    subject,
    evidence,
    recommendation,
    saving_per_month_usd,
    saving_usd,
    cost_usd,
    how
FROM (
    -- idle_heartbeats: per session, its heartbeats (the filtered ones) and whether it made any other call.
    SELECT
        'idle_heartbeats' AS kind,
        concat('session ', session_id, if(agent != '', concat(' (', agent, ')'), '')) AS subject,
        concat(
            toString(beats), ' heartbeats on ', model, ', one every ', toString(round(interval_minutes)),
            ' min, and no other call in the window: ', usd(beat_cost_usd), ', ', usd(per_beat_usd), ' a beat'
        ) AS evidence,
        concat(
            'Stop heartbeats while the session is idle, or lengthen their interval from ',
            toString(round(interval_minutes)), ' to ', toString({heartbeat_interval_minutes:Float64}), ' min.'
        ) AS recommendation,
        month_now_usd - month_longer_usd AS saving_per_month_usd,
        saving_per_month_usd * window_days / 30 AS saving_usd,
        beat_cost_usd AS cost_usd,
        concat(
            usd(per_beat_usd), ' a beat x ', toDecimalString(1440 / interval_minutes, 1), ' beats a day x 30 days = ',
            usd(month_now_usd), ' a month; at one beat every ', toString({heartbeat_interval_minutes:Float64}),
            ' min: ', usd(month_longer_usd), '; saving the difference (stopping while idle saves all ',
            usd(month_now_usd), ')'
        ) AS how
    FROM (
    SELECT
        *,
        beat_cost_usd / beats AS per_beat_usd,
        median_interval_ns / 60e9 AS interval_minutes,
        per_beat_usd * 1440 / interval_minutes * 30 AS month_now_usd,
        per_beat_usd * 1440 / {heartbeat_interval_minutes:Float64} * 30 AS month_longer_usd
    FROM (
        SELECT
            session_id,
            argMinIf(call_agent, start_time, counted AND call_agent != '') AS agent,
            argMaxIf(call_model, start_time, counted) AS model,
            countIf(counted) AS beats,
            sumIf(cost_usd, counted) AS beat_cost_usd,
            arrayReduce(
                'quantileExactInclusive(0.5)',
                arrayPopFront(arrayDifference(arraySort(groupArrayIf(toUnixTimestamp64Nano(start_time), counted))))
            ) AS median_interval_ns,
            countIf(NOT heartbeat) AS other_calls
        FROM (
            SELECT
                session_id,
                agent AS call_agent,
                model AS call_model,
                start_time,
                cost_usd,
                trigger = 'heartbeat' AS heartbeat,
                heartbeat
                    AND ({service:String} = '*' OR ServiceName = {service:String})
                    AND ({agent:String} = '*' OR agent = {agent:String} OR role = {agent:String})
                    AND ({model:String} = '*' OR model = {model:String}) AS counted
            FROM agentcost_llm_calls_in(from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')})
            WHERE session_id != ''
                AND throwIf({heartbeat_interval_minutes:Float64} <= 0, 'heartbeat_interval_minutes must be above 0')
                    = 0
        )
        GROUP BY session_id
        HAVING beats > 1 AND other_calls = 0 AND median_interval_ns > 0
    ))
    WHERE interval_minutes < {heartbeat_interval_minutes:Float64}

    UNION ALL

    -- inherited_context: per session, its tasks' input and the inherited part of it, tasks first then the session.
    SELECT
        'inherited_context' AS kind,
        concat('session ', session_id, if(agent != '', concat(' (', agent, ')'), ''), ', ', toString(tasks), ' tasks')
            AS subject,
        concat(
            toString(inheriting), ' of ', toString(tasks), ' tasks carried earlier tasks'' context (most: ',
            arrayStringConcat(arraySlice(arrayMap(t -> concat(t.2, ' ', tokens(t.3)), top), 1, 3), ', '), '): ',
            tokens(inherited_tokens), ' inherited of ', tokens(input_tokens), ' input tokens (',
            percent(inherited_tokens / input_tokens), '), ', usd(inherited_cost_usd), ' in the window'
        ) AS evidence,
        'Reset the conversation between unrelated tasks (e.g. /new), or give each domain its own agent instance.'
            AS recommendation,
        inherited_cost_usd * 30 / window_days AS saving_per_month_usd,
        inherited_cost_usd AS saving_usd,
        cost_usd,
        concat(
            tokens(inherited_tokens), ' inherited tokens at their calls'' input price = ', usd(inherited_cost_usd),
            ' in ', days_text, ' days, x 30 / ', days_text, ' = ', usd(saving_per_month_usd), ' a month'
        ) AS how
    FROM (
        SELECT
            task_session_id AS session_id,
            argMinIf(task_agent, first_call_at, task_agent != '') AS agent,
            count() AS tasks,
            countIf(task_inherited_tokens > 0) AS inheriting,
            arrayReverseSort(t -> t.1, groupArray((task_inherited_cost_usd, task_id, task_inherited_tokens))) AS top,
            sum(task_input_tokens) AS input_tokens,
            sum(task_inherited_tokens) AS inherited_tokens,
            sum(task_inherited_cost_usd) AS inherited_cost_usd,
            sum(task_cost_usd) AS cost_usd
        FROM (
            SELECT
                task_id,
                argMinIf(session_id, start_time, session_id != '') AS task_session_id,
                argMinIf(agent, start_time, agent != '') AS task_agent,
                min(start_time) AS first_call_at,
                sum(input_tokens) AS task_input_tokens,
                sum(inherited_tokens) AS task_inherited_tokens,
                sum(inherited_tokens * if(
                    input_tokens + {output_price_ratio:Float64} * output_tokens > 0,
                    cost_usd / (input_tokens + {output_price_ratio:Float64} * output_tokens),
                    0
                )) AS task_inherited_cost_usd,
                sum(cost_usd) AS task_cost_usd
            FROM agentcost_selected_calls(
                from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')},
                service = {service:String}, agent = {agent:String}, model = {model:String}
            )
            WHERE task_id != ''
                AND throwIf({output_price_ratio:Float64} < 0, 'output_price_ratio must be 0 or more, e.g. 5') = 0
            GROUP BY task_id
        )
        GROUP BY task_session_id
        HAVING inherited_tokens > 0 AND inherited_tokens >= {min_inherited_share:Float64} * input_tokens
    )

    UNION ALL

    -- context_bleed: per session, its input and the part of it first seen under other sessions (and which ones).
    SELECT
        'context_bleed' AS kind,
        concat('session ', calls.session_id, if(session_agent != '', concat(' (', session_agent, ')'), '')) AS subject,
        concat(
            toString(session_foreign_calls), ' of ', toString(session_calls), ' calls carried ',
            tokens(session_foreign_tokens),
            ' tokens of other sessions', if(
                empty(origins), '', concat(' (', arrayStringConcat(arraySort(origins), ', '), ')')
            ), ': ', percent(session_foreign_tokens / session_input_tokens), ' of its ',
            tokens(session_input_tokens), ' input tokens, ',
            usd(session_foreign_cost_usd), ' in the window'
        ) AS evidence,
        'Give each workflow its own session and connection, so that no request carries another one''s messages.'
            AS recommendation,
        session_foreign_cost_usd * 30 / window_days AS saving_per_month_usd,
        session_foreign_cost_usd AS saving_usd,
        session_cost_usd AS cost_usd,
        concat(
            tokens(session_foreign_tokens), ' foreign tokens at their calls'' input price = ',
            usd(session_foreign_cost_usd), ' in ',
            days_text, ' days, x 30 / ', days_text, ' = ', usd(saving_per_month_usd), ' a month'
        ) AS how
    FROM (
        SELECT
            session_id,
            argMinIf(agent, start_time, agent != '') AS session_agent,
            count() AS session_calls,
            countIf(foreign_tokens > 0) AS session_foreign_calls,
            sum(input_tokens) AS session_input_tokens,
            sum(foreign_tokens) AS session_foreign_tokens,
            sum(foreign_tokens * if(
                input_tokens + {output_price_ratio:Float64} * output_tokens > 0,
                cost_usd / (input_tokens + {output_price_ratio:Float64} * output_tokens),
                0
            )) AS session_foreign_cost_usd,
            sum(cost_usd) AS session_cost_usd
        FROM agentcost_selected_calls(
            from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')},
            service = {service:String}, agent = {agent:String}, model = {model:String}
        )
        GROUP BY session_id
        HAVING session_foreign_tokens > 0
            AND session_foreign_tokens >= {min_foreign_share:Float64} * session_input_tokens
    ) AS calls
    LEFT JOIN (
        SELECT session_id, groupUniqArray(origin_session_id) AS origins
        FROM agentcost_context_bleed
        WHERE seen_at >= {from:DateTime64(9, 'UTC')} AND seen_at < {to:DateTime64(9, 'UTC')}
            AND origin_session_id != ''
        GROUP BY session_id
    ) AS bleed ON bleed.session_id = calls.session_id

    UNION ALL

    -- mid_band_bails: the fleet's mid-band units, the bailed ones' cost, reasons and where they cluster.
    SELECT
        'mid_band_bails' AS kind,
        concat('units of ', tokens(low), ' to ', tokens(high), ' output tokens') AS subject,
        concat(
            toString(bailed), ' of ', toString(units), ' mid-band units bailed (', percent(bailed / units), '), ',
            usd(bailed_cost_usd), ' in the window; reasons: ', ranked(reasons), '; where: ', ranked(places)
        ) AS evidence,
        'Claim work before starting it, detect contended files sooner, and pivot at the first denial.'
            AS recommendation,
        bailed_cost_usd * 30 / window_days AS saving_per_month_usd,
        bailed_cost_usd AS saving_usd,
        cost_usd,
        concat(
            'the bailed units'' cost ', usd(bailed_cost_usd), ' in ', days_text, ' days, x 30 / ', days_text, ' = ',
            usd(saving_per_month_usd), ' a month'
        ) AS how
    FROM (
        SELECT
            {mid_band:Array(UInt64)}[1] AS low,
            {mid_band:Array(UInt64)}[2] AS high,
            count() AS units,
            countIf(bail) AS bailed,
            sumIf(unit_cost_usd, bail) AS bailed_cost_usd,
            sum(unit_cost_usd) AS cost_usd,
            groupArrayIf(if(reason = '', 'no reason', reason), bail) AS reasons,
            groupArrayIf(place, bail) AS places
        FROM (
            SELECT
                cost_usd AS unit_cost_usd,
                ifNull(reason, '') AS reason,
                ifNull(outcome, '') IN ('noop', 'blocked', 'abandoned') AS bail,
                multiIf(lane != '', lane, role != '', role, agent != '', agent, 'untagged') AS place
            FROM agentcost_selected_units(
                from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')},
                service = {service:String}, agent = {agent:String}, model = {model:String}
            )
            WHERE output_tokens >= {mid_band:Array(UInt64)}[1] AND output_tokens < {mid_band:Array(UInt64)}[2]
                AND throwIf(
                    length({mid_band:Array(UInt64)}) != 2
                        OR {mid_band:Array(UInt64)}[1] >= {mid_band:Array(UInt64)}[2],
                    'mid_band must be two ascending token counts, e.g. [5000,30000]'
                ) = 0
        )
        HAVING bailed >= 2 AND bailed >= {min_bail_share:Float64} * units
    )

    UNION ALL

    -- trivial_lane_model: each cleanly split group's trivial tier per model, repriced at the cheaper model.
    SELECT
        'trivial_lane_model' AS kind,
        concat(`group`, ' on ', model) AS subject,
        concat(
            toString(units), ' trivial units (up to ', tokens(threshold), ' output tokens; the smallest heavy one has ',
            tokens(smallest_heavy), ', ', toString(round(smallest_heavy / greatest(largest_trivial, 1))),
            'x more) cost ',
            usd(tier_cost_usd), ' on ', model, ' in the window',
            if(isNull(avg_grade), '', concat(', average grade ', toDecimalString(avg_grade, 2)))
        ) AS evidence,
        concat(
            'Route the ', `group`, ' trivial tier (up to ', tokens(threshold), ' output tokens) to ', cheaper,
            ' instead of ', model, '.'
        ) AS recommendation,
        (tier_cost_usd - repriced_usd) * 30 / window_days AS saving_per_month_usd,
        tier_cost_usd - repriced_usd AS saving_usd,
        tier_cost_usd AS cost_usd,
        concat(
            'the tier''s ', tokens(input_tokens), ' input (', tokens(cache_read_tokens), ' cache reads, ',
            tokens(cache_write_tokens), ' cache writes) and ', tokens(output_tokens), ' output tokens at ', cheaper,
            '''s prices cost ', usd(repriced_usd), ' instead of ', usd(tier_cost_usd), ' in ', days_text,
            ' days: saving ', usd(saving_usd), ', x 30 / ', days_text, ' = ', usd(saving_per_month_usd), ' a month'
        ) AS how
    FROM (
    -- The tier's tokens at each candidate's prices; the candidate that makes the tier cheapest.
    SELECT
        tier.`group` AS `group`,
        tier.model AS model,
        tier.threshold AS threshold,
        tier.largest_trivial AS largest_trivial,
        tier.smallest_heavy AS smallest_heavy,
        tier.units AS units,
        tier.input_tokens AS input_tokens,
        tier.cache_read_tokens AS cache_read_tokens,
        tier.cache_write_tokens AS cache_write_tokens,
        tier.output_tokens AS output_tokens,
        tier.cost_usd AS tier_cost_usd,
        tier.avg_grade AS avg_grade,
        cheap.model AS cheaper,
        (
            greatest(toInt64(input_tokens) - toInt64(cache_read_tokens) - toInt64(cache_write_tokens), 0)
                * cheap.input_per_mtok
            + cache_read_tokens * cheap.cache_read_per_mtok
            + cache_write_tokens * cheap.cache_write_per_mtok
            + output_tokens * cheap.output_per_mtok
        ) / 1000000 AS repriced_usd
    FROM (
        SELECT
            `group`,
            model,
            provider,
            any(threshold_output_tokens) AS threshold,
            any(group_largest_trivial) AS largest_trivial,
            any(group_smallest_heavy) AS smallest_heavy,
            count() AS units,
            sum(unit_input_tokens) AS input_tokens,
            sum(unit_cache_read_tokens) AS cache_read_tokens,
            sum(unit_cache_write_tokens) AS cache_write_tokens,
            sum(unit_output_tokens) AS output_tokens,
            sum(unit_cost_usd) AS cost_usd,
            avg(grade) AS avg_grade,
            if({cheap_model:String} = '', provider, '*') AS candidates_key
        FROM (
            SELECT
                *,
                max(if(unit_output_tokens <= threshold_output_tokens, unit_output_tokens, NULL)) OVER by_group
                    AS group_largest_trivial,
                min(if(unit_output_tokens > threshold_output_tokens, unit_output_tokens, NULL)) OVER by_group
                    AS group_smallest_heavy
            FROM (
                SELECT
                    *,
                    toUInt64(if(
                        {trivial_max_output_tokens:UInt64} > 0,
                        {trivial_max_output_tokens:UInt64},
                        if(max(group_score) OVER by_group >= 0,
                            argMax(unit_output_tokens, (group_score, -unit_output_tokens)) OVER by_group, 0)
                    )) AS threshold_output_tokens
                FROM (
                    -- Otsu's score of splitting the group after this unit's size, as in lanes.sql.
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
                        ) AS group_score
                    FROM (
                        SELECT
                            multiIf(role != '', role, lane != '', lane, agent != '', agent, 'untagged') AS `group`,
                            units.model AS model,
                            ifNull(used.provider, '') AS provider,
                            input_tokens AS unit_input_tokens,
                            cache_read_tokens AS unit_cache_read_tokens,
                            cache_write_tokens AS unit_cache_write_tokens,
                            output_tokens AS unit_output_tokens,
                            cost_usd AS unit_cost_usd,
                            grade,
                            log1p(output_tokens) AS log_size,
                            ({service:String} = '*' OR service = {service:String})
                                AND ({agent:String} = '*' OR agent = {agent:String} OR role = {agent:String})
                                AND ({model:String} = '*' OR units.model = {model:String}) AS kept
                        FROM agentcost_work_units(from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')})
                            AS units
                        LEFT JOIN (
                            SELECT model, any(provider) AS provider
                            FROM agentcost_llm_calls_in(
                                from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')}
                            )
                            GROUP BY model
                        ) AS used ON used.model = units.model
                    )
                    WINDOW
                        by_group AS (PARTITION BY `group`),
                        group_up_to_size AS (
                            PARTITION BY `group` ORDER BY unit_output_tokens RANGE UNBOUNDED PRECEDING
                        )
                )
                WINDOW by_group AS (PARTITION BY `group`)
            )
            WINDOW by_group AS (PARTITION BY `group`)
        )
        WHERE kept AND unit_output_tokens <= threshold_output_tokens
            AND group_smallest_heavy >= {min_tier_gap:Float64} * greatest(group_largest_trivial, 1)
        GROUP BY `group`, model, provider
    ) AS tier
    INNER JOIN (
        -- The models to reprice at: cheap_model's price row, or each priced model the fleet called, by provider.
        SELECT
            if({cheap_model:String} = '', used.provider, '*') AS candidates_key,
            prices.model AS model,
            prices.input_per_mtok AS input_per_mtok,
            prices.output_per_mtok AS output_per_mtok,
            ifNull(prices.cache_read_per_mtok, prices.input_per_mtok) AS cache_read_per_mtok,
            ifNull(prices.cache_write_per_mtok, prices.input_per_mtok) AS cache_write_per_mtok
        FROM agentcost_prices AS prices
        CROSS JOIN (
            SELECT throwIf(
                {cheap_model:String} != '' AND countIf(lower(model) = lower({cheap_model:String})) = 0,
                'cheap_model has no row in agentcost_prices: name a priced model (otel-agentcost prices lists them)'
            ) AS cheap_model_missing
            FROM agentcost_prices
        ) AS cheap_model_check
        LEFT JOIN (
            SELECT lower(model) AS price_key, any(provider) AS provider
            FROM agentcost_llm_calls_in(from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')})
            GROUP BY price_key
        ) AS used ON used.price_key = lower(prices.model)
        WHERE cheap_model_missing = 0
            AND if({cheap_model:String} = '', used.price_key != '', lower(prices.model) = lower({cheap_model:String}))
    ) AS cheap ON cheap.candidates_key = tier.candidates_key
    WHERE lower(cheap.model) != lower(tier.model)
    ORDER BY repriced_usd, cheaper
    LIMIT 1 BY `group`, model
    )
)
WHERE saving_per_month_usd >= {min_saving_per_month_usd:Float64} AND saving_per_month_usd > 0
ORDER BY rank
