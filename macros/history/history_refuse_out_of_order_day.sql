{#- The history moves forward only. Called by segment_membership_history when it runs
    incrementally: stops the build, with what to do, when D (the build's as-of date) is before
    the latest day the history holds (the latest as_of_date of segment_history_days, or valid_from
    or valid_to of the history itself, for a run interrupted between the two models). A rerun
    of the latest day is allowed (it replaces that day); an earlier day would have to split
    intervals recorded after it, which the history does not do: rebuild it instead
    (`make backfill ... RESET=1`, which drops both tables first). Nothing to check at parse
    time or in a unit test (where `this` is a fixture). -#}
{% macro history_refuse_out_of_order_day(as_of) -%}
    {%- if execute and is_incremental() and this is not string -%}
        {%- set days = adapter.get_relation(
            database=this.database, schema=this.schema, identifier='segment_history_days') -%}
        {%- set query -%}
            with latest_days as (
                select max(valid_from) as latest_on from {{ this }}
                union all
                select max(valid_to) as latest_on from {{ this }}
                {%- if days is not none %}
                union all
                select max(as_of_date) as latest_on from {{ days }}
                {%- endif %}
            )

            select
                cast({{ as_of }} as {{ dbt.type_string() }}) as as_of_date,
                cast(max(latest_on) as {{ dbt.type_string() }}) as latest_on
            from latest_days
        {%- endset -%}
        {%- set row = run_query(query).rows[0] -%}
        {%- set as_of_date, latest_on = row[0], row[1] -%}
        {%- if as_of_date is none -%}
            {{ exceptions.raise_compiler_error(
                "segment_membership_history: the as-of date is null (nothing staged): no day to record.") }}
        {%- endif -%}
        {%- if latest_on is not none and as_of_date < latest_on -%}
            {{ exceptions.raise_compiler_error(
                "segment_membership_history: this build is as of " ~ as_of_date ~ ", before "
                ~ latest_on ~ ", the latest day the history already holds. The history only moves "
                ~ "forward (a rerun of " ~ latest_on ~ " is fine). To record earlier days, rebuild it: "
                ~ "make backfill FROM=<first day> TO=<last day> STEP=<days> RESET=1 "
                ~ "(drops the history and replays the days in order). To build an earlier day without "
                ~ "recording it: --exclude tag:history.") }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
