{#- D, the as-of date of the catalog.
    var as_of_date set ('YYYY-MM-DD'): that date as a literal.
    Unset: the latest day of any staged order, email event or site visit, from the one-row
    model int_as_of_date, so a re-run on the same data gives the same answer. When that table
    is built (dbt builds it before every model that refs it), its value is read when the
    model runs and written in as a literal (personas.built_as_of_date): a constant D lets the
    engine filter each window in the scan, before the joins, where a subquery is compared
    row by row after them (at 1M profiles, segment_performance joined 91M email events to
    the profiles before keeping the 15M of its window). Otherwise (a unit test's fixture, a
    table not built yet, or no staged row at all) the subquery. -#}
{% macro as_of_date() -%}
    {{ return(adapter.dispatch('as_of_date', 'personas')()) }}
{%- endmacro %}

{% macro default__as_of_date() -%}
    {%- set configured = var('as_of_date', none) -%}
    {%- if configured is none or configured | string | trim == '' -%}
        {%- set relation = ref('int_as_of_date') -%}
        {%- set built = personas.built_as_of_date(relation) -%}
        {%- if built is none -%}
            (select int_as_of_date.as_of_date from {{ relation }} as int_as_of_date)
        {%- else -%}
            cast('{{ built }}' as date)
        {%- endif -%}
    {%- else -%}
        cast('{{ personas.validated_date_var("as_of_date", configured) }}' as date)
    {%- endif -%}
{%- endmacro %}
