{#- A post-hook of every model and seed (dbt_project.yml): on PostgreSQL, ANALYZE the table just
    written, so that the next query plans with its statistics. PostgreSQL leaves a new table
    unanalyzed until autovacuum gets to it, and plans on default estimates meanwhile: the demo's
    relationships test of int_email_events_scoped against stg_email_events (views over these
    tables) took minutes that way in CI, and a fraction of a second once the tables were
    analyzed (measured: docs/benchmarks.md, "2026-12-06, third session: the floor, the pandas
    peer and the analyst's loop (issue 17)", "PostgreSQL plans on statistics"). Views hold no
    data; other engines gather what they need themselves: nothing there. -#}
{% macro analyze_table() -%}
    {%- if target.type == 'postgres' and config.get('materialized') in ['table', 'incremental', 'seed'] -%}
        analyze {{ this }}
    {%- endif -%}
{%- endmacro %}
