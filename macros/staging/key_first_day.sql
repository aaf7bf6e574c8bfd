{#- A key's first day (column key_first_day of the base_<entity>_rows models), an aggregate
    over the rows of one key (merge_key): 'unplaced' when any row of the key has a timestamp
    that cannot be placed in time (missing or not shaped like the contract's), else the
    earliest day written in them (personas.timestamp_day). `window`: an `over (...)` clause
    for the window form; none for a group by. Appending rows never moves a key to a later
    day, and never out of 'unplaced': on Spark the key's rows live in that day's partition.
    A key of one row: coalesce(timestamp_day(ts), 'unplaced'), the same value without a sort. -#}
{% macro key_first_day(timestamp_text, window=none) -%}
    {{ return(adapter.dispatch('key_first_day', 'personas')(timestamp_text, window)) }}
{%- endmacro %}

{% macro default__key_first_day(timestamp_text, window) -%}
{%- set day = personas.timestamp_day(timestamp_text) -%}
{%- set over = ' ' ~ window if window else '' -%}
case
    when sum(case when {{ day }} is null then 1 else 0 end){{ over }} > 0 then 'unplaced'
    else min({{ day }}){{ over }}
end
{%- endmacro %}
