trigger MonthEndCloseTrigger on Month_End_Close__c(before update, after update) {
    new MonthEndCloseTriggerHandler().run();
}
