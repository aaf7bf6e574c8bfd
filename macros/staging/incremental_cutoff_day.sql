{#- The cutoff day of an incremental run, as 'YYYY-MM-DD' text: the latest day of
    `parsed_timestamp_column` already in this model's table minus var
    incremental_lookback_days. Read with a query when the model runs, so that the model's SQL
    compares against a literal. '' (every key is taken) when the table holds no timestamp, and
    at parse time, when no query may run. -#}
{% macro incremental_cutoff_day(parsed_timestamp_column) -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set latest_day = 'cast(max(' ~ parsed_timestamp_column ~ ') as date)' -%}
    {%- set query -%}
        select cast({{ personas.days_before(latest_day, var('incremental_lookback_days')) }} as {{ dbt.type_string() }}) as cutoff_day
        from {{ this }}
    {%- endset -%}
    {%- set cutoff_day = run_query(query).columns[0].values()[0] -%}
    {{ return(cutoff_day | string if cutoff_day is not none else '') }}
{%- endmacro %}
