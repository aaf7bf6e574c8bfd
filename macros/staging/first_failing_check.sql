{#- The reason a row is quarantined: the first check (in the given order) that fails.
    checks: a list of [failing_condition, reason, column]. Emits two select-list columns,
    quarantine_reason and quarantine_column, both null for a clean row. -#}
{% macro first_failing_check(checks) -%}
    {{ return(adapter.dispatch('first_failing_check', 'personas')(checks)) }}
{%- endmacro %}

{% macro default__first_failing_check(checks) -%}
    case
    {%- for condition, reason, column in checks %}
        when {{ condition }} then '{{ reason }}'
    {%- endfor %}
    end as quarantine_reason,
    case
    {%- for condition, reason, column in checks %}
        when {{ condition }} then '{{ column }}'
    {%- endfor %}
    end as quarantine_column
{%- endmacro %}
