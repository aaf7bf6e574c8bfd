{#- The reason a row is quarantined: the first check (in the given order) that fails.
    checks: a list of [failing_condition, reason, column]. Emits two select-list columns,
    quarantine_reason and quarantine_column (with an optional name prefix), both null for a
    clean row. -#}
{% macro first_failing_check(checks, prefix='') -%}
    {{ return(adapter.dispatch('first_failing_check', 'personas')(checks, prefix)) }}
{%- endmacro %}

{% macro default__first_failing_check(checks, prefix) -%}
    case
    {%- for condition, reason, column in checks %}
        when {{ condition }} then '{{ reason }}'
    {%- endfor %}
    end as {{ prefix }}quarantine_reason,
    case
    {%- for condition, reason, column in checks %}
        when {{ condition }} then '{{ column }}'
    {%- endfor %}
    end as {{ prefix }}quarantine_column
{%- endmacro %}
